using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cbi.Workbench.Models;

/// <summary>A fitted model on disk.</summary>
/// <param name="Version">12 hex digits of SHA-256 over the model's saved files and its fit record: the same fit
/// gives the same version, any difference a new one. The forecast export and the holdout cite it.</param>
/// <param name="Directory">models/&lt;model&gt;/h&lt;horizon&gt;/&lt;version&gt;/.</param>
/// <param name="Info">What the model was fitted on.</param>
/// <param name="LibraryCommit">Short git commit of the workbench that fitted it ("unknown" outside a checkout).</param>
public sealed record SavedModel(string Version, string Directory, FitInfo Info, string LibraryCommit);

/// <summary>Fitted models persisted under artifacts/&lt;profile&gt;/models/ with their provenance, for any catalogue
/// model: the model writes its own state (<see cref="IForecaster.Save"/>), the store adds model.json (spec name,
/// <see cref="FitInfo"/>, library commit, version) and files the folder under its content-derived version id.
/// Writing is atomic (a temporary folder renamed into place) and idempotent.</summary>
public static class ModelStore
{
    /// <summary>artifacts/&lt;active profile&gt;/models.</summary>
    public static string DefaultRoot => Path.Combine(Workbench.ProfileDir, "models");

    sealed record ModelRecord(string Version, string Model, FitInfo Info, string LibraryCommit, DateTime SavedUtc);

    /// <summary>Saves a fitted model and returns where and under which version.</summary>
    /// <param name="model">A fitted forecaster whose name is registered in <see cref="ModelCatalog"/>.</param>
    /// <param name="root">The store's root folder; default <see cref="DefaultRoot"/>.</param>
    /// <exception cref="InvalidOperationException">the model is not fitted.</exception>
    /// <exception cref="ArgumentException">the model's name is not in the catalogue.</exception>
    public static SavedModel Save(IForecaster model, string? root = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var info = model.Info ?? throw new InvalidOperationException($"{model.Name}: Save before Fit.");
        ModelCatalog.Get(model.Name);
        root = Path.GetFullPath(root ?? DefaultRoot);
        var parent = Path.Combine(root, model.Name, $"h{info.Horizon}");
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            var state = Path.Combine(tmp, "state");
            model.Save(state);
            var commit = Reporting.Benchmark.GitCommit();
            var version = VersionOf(state, info);
            var dir = Path.Combine(parent, version);
            File.WriteAllText(Path.Combine(tmp, "model.json"), JsonSerializer.Serialize(new ModelRecord(version, model.Name, info, commit, DateTime.UtcNow), ModelFiles.Json));
            if (Directory.Exists(dir)) return Read(dir); // the same fit was saved before: keep the first copy
            Directory.Move(tmp, dir);
            return new SavedModel(version, dir, info, commit);
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>The provenance of a saved model folder.</summary>
    /// <exception cref="FileNotFoundException">no model.json in the folder.</exception>
    public static SavedModel Read(string directory)
    {
        var r = ModelFiles.Read<ModelRecord>(directory, "model.json", "workbench");
        return new SavedModel(r.Version, Path.GetFullPath(directory), r.Info, r.LibraryCommit);
    }

    /// <summary>Loads a saved model folder through its spec's loader, after checking that its files still hash to its
    /// version. The caller disposes the forecaster if it is <see cref="IDisposable"/>.</summary>
    /// <exception cref="FileNotFoundException">not a saved model folder.</exception>
    /// <exception cref="InvalidDataException">the files were changed after saving (version mismatch).</exception>
    /// <exception cref="ArgumentException">the model's name is not in the catalogue.</exception>
    public static IForecaster Load(string directory)
    {
        var r = ModelFiles.Read<ModelRecord>(directory, "model.json", "workbench");
        var spec = ModelCatalog.Get(r.Model);
        var state = Path.Combine(directory, "state");
        var v = VersionOf(state, r.Info);
        if (v != r.Version) throw new InvalidDataException($"{directory}: the saved files hash to version {v}, model.json says {r.Version}; the model was changed after saving.");
        return spec.Loader(state);
    }

    /// <summary>Loads version <paramref name="version"/> of <paramref name="model"/> at <paramref name="horizon"/>.</summary>
    public static IForecaster Load(string model, int horizon, string version, string? root = null) =>
        Load(Path.Combine(Path.GetFullPath(root ?? DefaultRoot), model, $"h{horizon}", version));

    static string VersionOf(string stateDir, FitInfo info)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(info, ModelFiles.Json)));
        foreach (var f in Directory.GetFiles(stateDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(stateDir, f) + "\n"));
            sha.AppendData(File.ReadAllBytes(f));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }
}
