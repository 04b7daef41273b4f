// Calibration study (issue 20): can an online recalibration of a base model's P10/P90 reach 80 % coverage on the release
// folds without losing quantile score? Replays, on the walk-forward rows of artifacts/<profile>/predictions.parquet
// (history split 2016–19 and validation folds, origins in date order, an outcome used only once its target date is
// at or before the origin), three families of recalibration of each side's band:
//   mT<eta>  quantile tracking on the scale factor of each side (Angelopoulos, Candès & Tibshirani 2023, the P term):
//            f += eta·(miss − 0.1) per newly known outcome; mTh: eta/√h (overlapping outcomes);
//   aT<eta>  the same on an additive offset in log-return units, step scaled by the side's spread;
//   W<n>     split conformal scaling on the latest n known outcomes (rolling window).
// Prints, per horizon and base model, quantile-score skill against the random walk / P10–P90 coverage on REL (release
// folds 0–3), LATE (folds 4–6) and HIST (2016–19).
// Run: dotnet run scripts/calibration-study.cs artifacts/full/predictions.parquet garch_n rw_garch ets
#:package DuckDB.NET.Data.Full@1.5.6.1
using DuckDB.NET.Data;
using var con = new DuckDBConnection("DataSource=:memory:");
con.Open();
string path = args[0];
double Pin(double y, double q, double tau) => y < q ? (1 - tau) * (q - y) : tau * (y - q);
double Qs(double y, double a, double m, double b) => 2 * (Pin(y, a, 0.1) + Pin(y, m, 0.5) + Pin(y, b, 0.9)) / 3;
List<(DateOnly o, DateOnly t, double y, double a, double m, double b, int fold, string split)> Load(string model, int h)
{
    var cmd = con.CreateCommand();
    cmd.CommandText = $"SELECT origin_date, target_date, y, q10, q50, q90, fold, split FROM read_parquet('{path}') WHERE model='{model}' AND horizon={h} AND split<>'holdout' ORDER BY origin_date";
    using var rd = cmd.ExecuteReader();
    var l = new List<(DateOnly, DateOnly, double, double, double, double, int, string)>();
    while (rd.Read()) l.Add((rd.GetFieldValue<DateOnly>(0), rd.GetFieldValue<DateOnly>(1), rd.GetDouble(2), rd.GetDouble(3), rd.GetDouble(4), rd.GetDouble(5), rd.GetInt32(6), rd.GetString(7)));
    return l;
}
bool InRelease(int fold, string split) => split == "validation" && fold <= 3;
bool InLate(int fold, string split) => split == "validation" && fold >= 4;
bool InHist(int fold, string split) => split == "history";
foreach (var h in new[] { 1, 5, 21, 63, 126, 252 })
foreach (var model in args.Skip(1))
{
    var s = Load(model, h);
    if (s.Count == 0) continue;
    var rw = Load("rw", h).ToDictionary(x => x.o);
    void Report(string name, Func<int, (double a, double b)> band, Func<int,string,bool> sel)
    {
        double q = 0, qr = 0, cov = 0, hi = 0, lo = 0; int n = 0;
        for (int i = 0; i < s.Count; i++)
        {
            var x = s[i]; if (!sel(x.fold, x.split) || !rw.TryGetValue(x.o, out var r)) continue;
            var (a, b) = band(i);
            q += Qs(x.y, a, x.m, b); qr += Qs(r.y, r.a, r.m, r.b); n++;
            if (x.y >= a && x.y <= b) cov++; if (x.y > b) hi++; if (x.y < a) lo++;
        }
        if (n > 0) Console.Write($" {name}:{1 - q / qr:+0.0%;-0.0%}/{cov / n:0.0%}");
    }
    // Tracker over normalized scores, delayed feedback.
    Func<int, (double, double)> Tracker(double eta, bool additive, int window)
    {
        var bands = new (double a, double b)[s.Count];
        double flo = additive ? 0 : 1, fhi = additive ? 0 : 1;
        var pending = new List<int>();
        var known = new List<(double lo, double hi)>();
        for (int i = 0; i < s.Count; i++)
        {
            var x = s[i];
            foreach (var p in pending.Where(p => s[p].t <= x.o).ToList())
            {
                var z = s[p]; pending.Remove(p);
                if (window > 0)
                {
                    known.Add(((z.m - z.y) / Math.Max(z.m - z.a, 1e-12), (z.y - z.m) / Math.Max(z.b - z.m, 1e-12)));
                }
                else
                {
                    var (ba, bb) = bands[p];
                    flo += eta * ((z.y < ba ? 1 : 0) - 0.1) * (additive ? (z.m - z.a) : 1);
                    fhi += eta * ((z.y > bb ? 1 : 0) - 0.1) * (additive ? (z.b - z.m) : 1);
                }
            }
            if (window > 0 && known.Count >= 20)
            {
                var w = known.Skip(Math.Max(0, known.Count - window)).ToList();
                double CQ(IEnumerable<double> v) { var arr = v.Order().ToArray(); var k = (int)Math.Ceiling(0.9 * (arr.Length + 1)); return arr[Math.Min(k, arr.Length) - 1]; }
                flo = CQ(w.Select(u => u.lo)); fhi = CQ(w.Select(u => u.hi));
            }
            bands[i] = additive ? (Math.Min(x.a - flo, x.m), Math.Max(x.b + fhi, x.m))
                                : (x.m - Math.Max(flo, 0) * (x.m - x.a), x.m + Math.Max(fhi, 0) * (x.b - x.m));
            pending.Add(i);
        }
        return i => bands[i];
    }
    foreach (var sel in new (string, Func<int,string,bool>)[] { ("REL", InRelease), ("LATE", InLate), ("HIST", InHist) })
    {
        Console.Write($"h{h,-3} {model,-9} {sel.Item1,-4}");
        Report("base", i => (s[i].a, s[i].b), sel.Item2);
        foreach (var eta in new[] { 0.005, 0.02, 0.05 }) Report($"mT{eta}", Tracker(eta / 1, false, 0), sel.Item2);
        foreach (var eta in new[] { 0.02, 0.05 }) Report($"mTh{eta}", Tracker(eta / Math.Sqrt(h), false, 0), sel.Item2);
        foreach (var eta in new[] { 0.02, 0.05 }) Report($"aT{eta}", Tracker(eta, true, 0), sel.Item2);
        foreach (var w in new[] { 125, 250, 500 }) Report($"W{w}", Tracker(0, false, w), sel.Item2);
        Console.WriteLine();
    }
}
