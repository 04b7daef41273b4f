using System.Globalization;

namespace Cbi.Workbench.Models.Baselines;

/// <summary>The random walk with GARCH(1,1) bands (<c>rw_garch</c>): P50 = 0 (no change, the random walk's median) and
/// P10/P90 = ∓ the Gaussian GARCH(1,1) half-widths of <c>garch_n</c> at the origin (its P10 − P50 and P90 − P50), so the
/// band follows the volatility forecast while the median claims no skill. The distribution the release falls back to
/// when no candidate beats the random walk (volatility timing is where the published evidence finds gains at short
/// horizons; the median is where it finds none).</summary>
internal sealed class RandomWalkGarch : IForecaster
{
    internal const string ModelName = "rw_garch";
    readonly Garch11 garch;
    RandomWalkGarch(Garch11 garch) => this.garch = garch;
    public RandomWalkGarch() : this(new Garch11(false)) { }

    public string Name => ModelName;
    public FitInfo? Info { get; private set; }

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        garch.Fit(frame, trainRows, horizon);
        var g = garch.Info!;
        Info = g with { Model = ModelName, Parameters = new Dictionary<string, string>(g.Parameters) { ["centre"] = "0 (random-walk median; garch_n's drift dropped)" } };
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        if (Info is null) throw new InvalidOperationException($"{Name}: Predict before Fit.");
        return garch.Predict(frame, originRows).Select(q => q.IsAbstention ? q : new QuantileForecast(q.Q10 - q.Q50, 0, q.Q90 - q.Q50)).ToArray();
    }

    public void Save(string directory)
    {
        if (Info is null) throw new InvalidOperationException($"{Name}: Save before Fit.");
        garch.Save(Path.Combine(directory, "garch_n"));
        ModelFiles.Write(directory, "state.json", Info);
    }

    internal static RandomWalkGarch Load(string directory) =>
        new(Garch11.Load(Path.Combine(directory, "garch_n"), false)) { Info = ModelFiles.Read<FitInfo>(directory, "state.json", ModelName) };
}
