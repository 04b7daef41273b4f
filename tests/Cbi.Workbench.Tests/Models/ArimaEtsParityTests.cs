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

    [Theory, MemberData(nameof(Classic))]
    public void print_arima(string series)
    {
        var y = Series(series).Select(v => Math.Log(v)).ToArray();
        var r = References().Single(x => x.Series == series && x.Model == "arima");
        var f = AutoArima.Select(y, out var tried);
        var (mean10, var10) = AutoArima.Forecast(f, y, 10);
        Console.WriteLine($"PAR {series} arima ours ({f.P},{f.D},{f.Q}) c={f.Constant} aicc={f.Aicc:F4} half={Half80(var10):G6} mean10={mean10:G8} | R {r.Form} c={r.Constant} aicc={r.Aicc:F4} half={r.Half10:G6} mean10={r.Mean10:G8} tried={tried}");
    }

    [Theory, MemberData(nameof(Classic))]
    public void print_ets(string series)
    {
        var y = Series(series).Select(v => Math.Log(v)).ToArray();
        var r = References().Single(x => x.Series == series && x.Model == "ets");
        var cands = new[] { EtsKind.Simple, EtsKind.Holt, EtsKind.Damped }.Select(k => Ets.FitKind(y, k)).ToList();
        var f = cands.MinBy(c => c.Aicc)!;
        var n = y.Length;
        var rconv = f.Aicc - n * (Math.Log(2 * Math.PI / n) + 1);
        Console.WriteLine($"PAR {series} ets ours {f.Kind} aiccR={rconv:F4} sigma2={f.Sigma2:G6} | R {r.Form} aicc={r.Aicc:F4} sigma2={r.Sigma2:G6}   " +
            string.Join(" ", cands.Select(c => $"{c.Kind}:{c.Aicc - n * (Math.Log(2 * Math.PI / n) + 1):F3}")));
    }
}
