using System.Reflection;

namespace Cbi.Workbench.Models;

/// <summary>Registers models with the catalogue. Every non-abstract implementation with a parameterless constructor in
/// the workbench's assemblies (Cbi.Workbench and every Cbi.Workbench.*.dll beside it, e.g. the TorchSharp models in
/// Cbi.Workbench.Deep) is found when the catalogue is first used, so adding a model is its implementation plus one
/// provider (or one more spec in an existing provider): nothing else in the library, the CLI or the notebooks changes.</summary>
public interface IModelProvider
{
    /// <summary>Providers register in ascending order (baselines 0, tree models 10, combinations and wrappers of other
    /// specs later, since they look their members up by name).</summary>
    int Order { get; }

    /// <summary>The specs to register.</summary>
    IEnumerable<ModelSpec> Specs();
}

/// <summary>Every model the workbench knows, by name: the statistical baselines and LightGBM, and whatever a
/// library or a notebook registers (neural models, ensembles, conformal wrappers). The one place a model's name is
/// spelled is its registration; everything else enumerates or looks up specs here. Thread-safe.</summary>
public static class ModelCatalog
{
    static readonly Lock Gate = new();
    static readonly List<ModelSpec> Specs = [];

    static ModelCatalog()
    {
        foreach (var p in Providers().OrderBy(p => p.Order).ThenBy(p => p.GetType().FullName, StringComparer.Ordinal))
            foreach (var s in p.Specs()) Add(s);
    }

    static IEnumerable<IModelProvider> Providers()
    {
        var core = typeof(ModelCatalog).Assembly;
        var assemblies = new List<Assembly> { core };
        assemblies.AddRange(AppDomain.CurrentDomain.GetAssemblies().Where(a => a != core && a.GetName().Name?.StartsWith("Cbi.Workbench.", StringComparison.Ordinal) == true
                                                                               && !a.GetName().Name!.EndsWith(".Tests", StringComparison.Ordinal)));
        // Libraries beside the core that are not loaded yet (a notebook #r's only Cbi.Workbench.dll).
        var dir = Path.GetDirectoryName(core.Location);
        if (!string.IsNullOrEmpty(dir))
            foreach (var file in Directory.EnumerateFiles(dir, "Cbi.Workbench.*.dll").Order(StringComparer.Ordinal))
            {
                var name = AssemblyName.GetAssemblyName(file);
                if (name.Name!.EndsWith(".Tests", StringComparison.Ordinal) || assemblies.Any(a => a.GetName().Name == name.Name)) continue;
                try { assemblies.Add(Assembly.Load(name)); }
                catch (Exception e) when (e is FileLoadException or BadImageFormatException or FileNotFoundException)
                {
                    IO.Log.Progress($"[models] {Path.GetFileName(file)} not loaded ({e.Message}); its models are not in the catalogue");
                }
            }
        foreach (var a in assemblies)
        {
            Type[] types;
            try { types = a.GetTypes(); }
            catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t != null).ToArray()!; }
            foreach (var t in types.Where(t => typeof(IModelProvider).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false }
                                               && t.GetConstructor(Type.EmptyTypes) != null))
                yield return (IModelProvider)Activator.CreateInstance(t)!;
        }
    }

    /// <summary>The reference every skill score is measured against: the no-change forecast (random walk).</summary>
    public static ModelSpec Reference => Get(BaselineSpecs.RandomWalkName);

    /// <summary>Every registered spec, in registration order (baselines first).</summary>
    public static IReadOnlyList<ModelSpec> All { get { lock (Gate) return Specs.ToArray(); } }

    /// <summary>The spec of <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">no spec has that name (the message lists the known names).</exception>
    public static ModelSpec Get(string name)
    {
        lock (Gate)
            return Specs.FirstOrDefault(s => s.Name == name)
                   ?? throw new ArgumentException($"unknown model '{name}'; known: {string.Join(", ", Specs.Select(s => s.Name))}.", nameof(name));
    }

    /// <summary>Specs for a comma-separated list of names, or a group: <c>all</c>, <c>baselines</c> (every model
    /// that reads prices only, not its calibrated wrappers), <c>fast</c> (baselines without an optimiser, listed as such in their description).</summary>
    /// <exception cref="ArgumentException">an unknown name (nothing is returned for the others).</exception>
    public static IReadOnlyList<ModelSpec> Resolve(string names)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(names);
        return names.Trim() switch
        {
            "all" => All,
            "baselines" => All.Where(s => s.Inputs == ModelInputs.Prices && !s.Name.Contains('+')).ToArray(),
            "fast" => BaselineSpecs.FastNames.Select(Get).ToArray(),
            var list => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Select(Get).ToArray(),
        };
    }

    /// <summary>Adds a model. From then on it appears in <c>cbi models</c>, can be backtested, searched (when it has a
    /// space), saved and loaded, and is covered by the contract tests.</summary>
    /// <exception cref="ArgumentException">the name is taken or malformed, or the default point does not match the space.</exception>
    public static void Register(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrEmpty(spec.Name) || !spec.Name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '+'))
            throw new ArgumentException($"model name '{spec.Name}' must be lower-case letters, digits, '_' or '+'.", nameof(spec));
        if (spec.Space is null && spec.DefaultPoint.Count > 0)
            throw new ArgumentException($"{spec.Name}: a default point without a search space.", nameof(spec));
        if (spec.Space != null)
            foreach (var p in spec.Space.Parameters)
                if (!spec.DefaultPoint.ContainsKey(p.Name))
                    throw new ArgumentException($"{spec.Name}: the default point lacks parameter '{p.Name}'.", nameof(spec));
        Add(spec);
    }

    static void Add(ModelSpec spec)
    {
        lock (Gate)
        {
            if (Specs.Any(s => s.Name == spec.Name)) throw new ArgumentException($"a model named '{spec.Name}' is already registered.", nameof(spec));
            Specs.Add(spec);
        }
    }

    /// <summary>One line per spec for listings (<c>cbi models</c>, notebooks): name, inputs, missing-input rule,
    /// search space (parameter ranges, or "none") and description.</summary>
    public static IReadOnlyList<ModelListing> Describe() => All.Select(s => new ModelListing(s.Name, s.Inputs.ToString(), s.MissingInputs.ToString(),
        s.Space is null ? "none" : string.Join("; ", s.Space.Parameters.Select(p => $"{p.Name} {p.Range}")), s.Description)).ToArray();

    /// <summary>The text <c>cbi models</c> prints: two lines per spec (name, inputs, rule, description; search space).</summary>
    public static IReadOnlyList<string> Listing() => Describe().SelectMany(m => new[]
    {
        $"{m.Name,-10} inputs {m.Inputs,-9} missing inputs {m.MissingInputs,-17} {m.Description}",
        $"{"",-10} search space: {m.Space}",
    }).ToArray();
}

/// <summary>A catalogue line: the spec's name, inputs, missing-input rule, search space and description.</summary>
public sealed record ModelListing(string Name, string Inputs, string MissingInputs, string Space, string Description);
