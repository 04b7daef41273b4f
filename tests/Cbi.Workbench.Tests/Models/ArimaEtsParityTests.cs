using System.Globalization;
using Cbi.Workbench.Models.Baselines;
using MathNet.Numerics.Distributions;

namespace Cbi.Workbench.Tests.Models;

/// <summary>Auto-ARIMA and ETS against R's <c>forecast</c> 8.20 on eight classic R series and on log ZL before 2020.
/// Reference values and the exact R call behind each are in Models/Parity/reference.tsv, the series values with
/// their source in Models/Parity/&lt;series&gt;.txt; both are written by scripts/parity-reference.sh (R is not needed
/// to run the tests). Each series is treated as consecutive daily closes: the models fit its logarithm.</summary>
public class ArimaEtsParityTests
{
    internal sealed record Reference(string Series, int N, string Model, string Form, bool Constant, double Aicc,
        double LogLik, double Sigma2, double Mean1, double Mean10, double Half10, string RCall);

    static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Models", "Parity");

    internal static double[] Series(string name) =>
        File.ReadLines(Path.Combine(Dir, name + ".txt")).Where(l => !l.StartsWith('#') && l.Length > 0)
            .Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    internal static IReadOnlyList<Reference> References() =>
        File.ReadLines(Path.Combine(Dir, "reference.tsv")).Where(l => !l.StartsWith('#')).Skip(1).Select(l =>
        {
            var c = l.Split('\t');
            double D(int i) => double.Parse(c[i], CultureInfo.InvariantCulture);
            return new Reference(c[0], int.Parse(c[1], CultureInfo.InvariantCulture), c[2], c[3], c[4] == "TRUE", D(5), D(6), D(7), D(8), D(9), D(10), c[11]);
        }).ToList();

    public static TheoryData<string> Classic => new() { "WWWusage", "lynx", "Nile", "LakeHuron", "USAccDeaths", "austres", "wineind", "woolyrnq", "zl_before_2020" };

    static double Half80(double variance) => Normal.InvCDF(0, 1, 0.9) * Math.Sqrt(variance);

    internal sealed record EtsKindReference(string Series, string Kind, double LogLikR, double LogLikRAtWorkbench, string RCall, string RCallAtWorkbench);

    internal static IReadOnlyList<EtsKindReference> EtsKinds() =>
        File.ReadLines(Path.Combine(Dir, "ets-kinds.tsv")).Where(l => !l.StartsWith('#')).Skip(1).Select(l =>
        {
            var c = l.Split('\t');
            return new EtsKindReference(c[0], c[1], double.Parse(c[2], CultureInfo.InvariantCulture),
                c[3] == "NA" ? double.NaN : double.Parse(c[3], CultureInfo.InvariantCulture), c[4], c[5]);
        }).ToList();

    static double[] LogSeries(string name) => Series(name).Select(v => Math.Log(v)).ToArray();

    [Theory, MemberData(nameof(Classic))]
    public void auto_arima_chooses_the_order_aicc_forecast_and_band_that_r_chooses(string series)
    {
        // Tolerances: both sides stop their optimisers near, not at, the same optimum (R: BFGS, reltol 1e-8; here
        // Nelder–Mead to 1e-10), so the log-likelihood and AICc may differ by 2e-3, the h = 10 point forecast (log units)
        // by 5e-5 and the 80 % half-width by 3e-4 of itself (austres: equal log-likelihoods to 1e-6 on a flat ridge,
        // half-widths 1.2e-4 apart).
        var r = References().Single(x => x.Series == series && x.Model == "arima");
        var y = LogSeries(series);
        Assert.Equal(r.N, y.Length);
        var f = AutoArima.Select(y, out _);
        var why = $"R call: {r.RCall}";
        Assert.True(r.Form == $"({f.P},{f.D},{f.Q})", $"order ({f.P},{f.D},{f.Q}) vs R {r.Form}; {why}");
        Assert.True(r.Constant == f.Constant, $"constant {f.Constant} vs R {r.Constant}; {why}");
        Assert.True(Math.Abs(f.Aicc - r.Aicc) <= 2e-3, $"AICc {f.Aicc:R} vs R {r.Aicc:R}; {why}");
        Assert.True(Math.Abs(f.LogLikelihood - r.LogLik) <= 2e-3, $"log-likelihood {f.LogLikelihood:R} vs R {r.LogLik:R}; {why}");
        var (m1, _) = AutoArima.Forecast(f, y, 1);
        var (m10, v10) = AutoArima.Forecast(f, y, 10);
        Assert.True(Math.Abs(m1 - r.Mean1) <= 5e-5, $"h=1 mean {m1:R} vs R {r.Mean1:R}; {why}");
        Assert.True(Math.Abs(m10 - r.Mean10) <= 5e-5, $"h=10 mean {m10:R} vs R {r.Mean10:R}; {why}");
        Assert.True(Math.Abs(Half80(v10) / r.Half10 - 1) <= 3e-4, $"h=10 80 % half-width {Half80(v10):R} vs R {r.Half10:R}; {why}");
        Console.WriteLine($"{series}: ({f.P},{f.D},{f.Q}){(f.Constant ? "+c" : "")} loglik {f.LogLikelihood:F6} (R {r.LogLik:F6}) AICc {f.Aicc:F3} (R {r.Aicc:F3}), half-width h=10 {Half80(v10):G5} (R {r.Half10:G5})");
    }

    [Theory, MemberData(nameof(Classic))]
    public void ets_reaches_at_least_r_s_optimum_for_every_kind_and_r_confirms_the_better_ones(string series)
    {
        // R's ets reports ℓ_R = −½n·ln SSE; the workbench's Gaussian ℓ differs by ½n(ln(2π/n) + 1).
        var y = LogSeries(series);
        var n = y.Length;
        var shift = 0.5 * n * (Math.Log(2 * Math.PI / n) + 1);
        foreach (var k in EtsKinds().Where(x => x.Series == series))
        {
            var fit = Ets.FitKind(y, Enum.Parse<EtsKind>(k.Kind));
            var ll = fit.LogLikelihood + shift;
            // Never worse than R's own optimiser (1e-3 log-likelihood units)…
            Assert.True(ll >= k.LogLikR - 1e-3, $"{series} {k.Kind}: ℓ {ll:R} below R's {k.LogLikR:R} ({k.RCall})");
            // …and R's own likelihood at the workbench's α/β/φ (initial states re-estimated by R) is the same value.
            Assert.True(Math.Abs(ll - k.LogLikRAtWorkbench) <= 2e-3,
                $"{series} {k.Kind}: ℓ {ll:R} but R gives {k.LogLikRAtWorkbench:R} at these parameters ({k.RCallAtWorkbench})");
            if (ll > k.LogLikR + 0.01)
                Console.WriteLine($"{series} {k.Kind}: ℓ_R {ll:F3}, R's optimiser stops at {k.LogLikR:F3}; R at these parameters: {k.LogLikRAtWorkbench:F3}");
        }
    }

    [Theory, MemberData(nameof(Classic))]
    public void ets_chooses_the_kind_r_s_likelihood_prefers_and_matches_r_s_forecasts_where_both_reach_the_optimum(string series)
    {
        var y = LogSeries(series);
        var n = y.Length;
        var r = References().Single(x => x.Series == series && x.Model == "ets");
        var ets = new Ets();
        ets.Fit(ConstructedSeries.FromLogPrice(y), ConstructedSeries.Range(0, n), 10);
        var f = ets.Fitted!;
        static string RName(EtsKind k) => k switch { EtsKind.Simple => "ANN", EtsKind.Holt => "AAN", _ => "AAdN" };
        static int Params(string kind) => kind switch { "Simple" => 2, "Holt" => 4, _ => 5 } + 1;
        // The kind R would choose by AICc from the best log-likelihood R itself reaches for each kind (its own fit, or its
        // likelihood at the workbench's parameters): the workbench must choose it.
        var best = EtsKinds().Where(k => k.Series == series)
            .Select(k => (k.Kind, Aicc: -2 * Math.Max(k.LogLikR, double.IsNaN(k.LogLikRAtWorkbench) ? double.NegativeInfinity : k.LogLikRAtWorkbench)
                + 2 * Params(k.Kind) + 2.0 * Params(k.Kind) * (Params(k.Kind) + 1) / (n - Params(k.Kind) - 1)))
            .MinBy(t => t.Aicc);
        Assert.Equal(best.Kind, f.Kind.ToString());
        var ownR = EtsKinds().Single(k => k.Series == series && k.Kind == f.Kind.ToString());
        var ll = f.LogLikelihood + 0.5 * n * (Math.Log(2 * Math.PI / n) + 1);
        var q = ets.Predict(ConstructedSeries.FromLogPrice(y), [n - 1])[0];
        var mean10 = q.Q50 + y[^1];
        var half10 = (q.Q90 - q.Q10) / 2;
        Console.WriteLine($"{series}: {RName(f.Kind)} AICc(R convention) {f.Aicc - 2 * 0.5 * n * (Math.Log(2 * Math.PI / n) + 1):F3} (R chose {r.Form}, AICc {r.Aicc:F3}), half-width h=10 {half10:G5} (R {r.Half10:G5})");
        if (RName(f.Kind) != r.Form || ll > ownR.LogLikR + 0.01) return; // R stopped short of this optimum: its forecasts differ
        // Same kind, same optimum: point forecast within 1e-4 (log units), 80 % half-width within 1e-3 of itself
        // (R's σ² is SSE/(n − k) at its slightly different optimum).
        Assert.True(Math.Abs(f.Aicc - 2 * 0.5 * n * (Math.Log(2 * Math.PI / n) + 1) - r.Aicc) <= 2e-3, $"AICc vs R {r.Aicc:R}; {r.RCall}");
        Assert.True(Math.Abs(mean10 - r.Mean10) <= 1e-4, $"h=10 mean {mean10:R} vs R {r.Mean10:R}; {r.RCall}");
        Assert.True(Math.Abs(half10 / r.Half10 - 1) <= 1e-3, $"h=10 half-width {half10:R} vs R {r.Half10:R}; {r.RCall}");
    }
}
