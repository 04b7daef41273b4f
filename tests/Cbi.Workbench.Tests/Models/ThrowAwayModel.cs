using System.Text.Json;
using Cbi.Workbench.Models;
using Cbi.Workbench.Search;

namespace Cbi.Workbench.Tests.Models;

/// <summary>A constructed forecaster registered by the tests only, to show that a model added with one
/// <see cref="ModelCatalog.Register"/> call gets the listing, the backtester, the search, the store and the contract
/// tests without any other change. Forecast: P50 = 0 and P10/P90 = ∓width·σ·√h, σ the standard deviation of the
/// daily log returns over the training rows.</summary>
internal sealed class BandForecaster(double width) : IForecaster
{
    double sigma = double.NaN;
    int horizon;

    public string Name => ThrowAwayModel.Name;
    public FitInfo? Info { get; private set; }

    public void Fit(Frame frame, IReadOnlyList<int> trainRows, int horizon)
    {
        var r = trainRows.Where(i => i > 0 && frame.TargetRow(i - 1, 1) == i).Select(i => Math.Log(frame.Close[i] / frame.Close[i - 1])).ToArray();
        if (r.Length < 10) throw new ArgumentException($"{Name}: only {r.Length} daily returns in the training rows.", nameof(trainRows));
        var m = r.Average();
        sigma = Math.Sqrt(r.Sum(x => (x - m) * (x - m)) / (r.Length - 1));
        this.horizon = horizon;
        Info = new FitInfo(Name, horizon, frame.Dates[trainRows[0]], frame.Dates[trainRows[^1]], trainRows.Count, "none",
            new Dictionary<string, string> { ["width"] = width.ToString("R") }, 0);
    }

    public IReadOnlyList<QuantileForecast> Predict(Frame frame, IReadOnlyList<int> originRows)
    {
        if (Info is null) throw new InvalidOperationException($"{Name}: Predict before Fit.");
        var w = width * sigma * Math.Sqrt(horizon);
        return originRows.Select(_ => new QuantileForecast(-w, 0, w)).ToArray();
    }

    sealed record State(double Width, double Sigma, int Horizon, FitInfo Info);

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "band.json"), JsonSerializer.Serialize(new State(width, sigma, horizon,
            Info ?? throw new InvalidOperationException($"{Name}: Save before Fit."))));
    }

    internal static BandForecaster Load(string directory)
    {
        var s = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(directory, "band.json")))!;
        return new BandForecaster(s.Width) { sigma = s.Sigma, horizon = s.Horizon, Info = s.Info };
    }
}

internal static class ThrowAwayModel
{
    internal const string Name = "test_band";
    static readonly Lock Gate = new();
    static bool registered;

    /// <summary>Registers the spec once per test process (idempotent) and returns it.</summary>
    internal static ModelSpec EnsureRegistered()
    {
        lock (Gate)
        {
            if (!registered)
            {
                ModelCatalog.Register(new ModelSpec
                {
                    Name = Name,
                    Description = "test only: a zero-centred band ±width·σ·√h",
                    Inputs = ModelInputs.Prices,
                    MissingInputs = MissingInputRule.NotRead,
                    Space = SearchSpace.Of(new FloatParameter("width", 0.5, 3.0)),
                    DefaultPoint = new Dictionary<string, double> { ["width"] = 1.2816 },
                    Factory = (p, _, _, _) => new BandForecaster(p["width"]),
                    Loader = BandForecaster.Load,
                });
                registered = true;
            }
            return ModelCatalog.Get(Name);
        }
    }
}
