using Cbi.Workbench.Models;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>Options shared by the model verbs: --model, --profile, --horizons.</summary>
internal static class ModelArgs
{
    internal static readonly string[] Known = ["model", "profile", "horizons"];

    internal static (IReadOnlyList<ModelSpec> Models, RunProfile Profile) Read(CliArgs a)
    {
        var names = a.Get("model") ?? throw new ArgumentException("--model NAME[,NAME…] is required (`cbi models` lists them; groups: all, baselines, fast).");
        var models = ModelCatalog.Resolve(names);
        var profile = Profile(a);
        if (a.Get("horizons") is { } h) profile = profile.WithHorizons(RunProfile.ParseHorizons(h, "--horizons"));
        return (models, profile);
    }

    /// <summary>The profile named by --profile, made the active one for the run (the entry points' parameter); else the
    /// active profile.</summary>
    internal static RunProfile Profile(CliArgs a)
    {
        if (a.Get("profile") is { } p)
        {
            RunProfile.For(p);
            Environment.SetEnvironmentVariable(Workbench.ParameterVariable("profile"), p);
        }
        return RunProfile.Current;
    }
}
