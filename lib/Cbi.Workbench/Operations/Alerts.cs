using Cbi.Workbench.Data;
using Cbi.Workbench.Features;
using Cbi.Workbench.IO;
using Cbi.Workbench.Models;

namespace Cbi.Workbench.Operations;

/// <summary>The outcome of one rule for one subject on one day.</summary>
/// <param name="Rule"><c>coverage</c>, <c>skill</c>, <c>stale-input</c>, <c>feature-drift</c>, <c>correlation-break</c> or
/// <c>promotion-proposed</c>.</param>
/// <param name="Subject">What it is about: <c>h5</c>, a source name, a market, <c>h21 shadow garch_t</c>.</param>
/// <param name="Active">Whether the condition holds.</param>
/// <param name="Evidence">The numbers the rule read, in words.</param>
public sealed record AlertCheck(string Rule, string Subject, bool Active, string Evidence);

/// <summary>An alert as delivered: a rule's condition began (<c>fired</c>) or ended (<c>resolved</c>) on a day.</summary>
/// <param name="AsOf">The operations day.</param>
/// <param name="Rule">The rule.</param>
/// <param name="Subject">What it is about.</param>
/// <param name="State"><c>fired</c> or <c>resolved</c>.</param>
/// <param name="Evidence">The evidence on that day.</param>
public sealed record Alert(DateOnly AsOf, string Rule, string Subject, string State, string Evidence);

/// <summary>The alert rules of <see cref="OperationsRules"/> as functions of what operations know on a day.</summary>
public static class AlertRules
{
    /// <summary>Coverage of the latest matured released forecasts per horizon (<see cref="CoverageRule"/>).</summary>
    public static IEnumerable<AlertCheck> Coverage(IReadOnlyList<MaturedForecast> matured, IEnumerable<int> horizons, CoverageRule rule)
    {
        foreach (var h in horizons)
        {
            if (rule.Window / (double)h < 10) continue; // fewer than 10 independent outcomes in the window: not evaluable
            var last = matured.Where(m => m.Forecast.Horizon == h && m.Forecast.Role == Roles.Released).TakeLast(rule.Window).ToList();
            if (last.Count < rule.Window) continue;
            var cov = last.Count(m => m.Covered) / (double)last.Count;
            var half = rule.Z * Math.Sqrt(0.8 * 0.2 * h / rule.Window);
            yield return new AlertCheck("coverage", $"h{h}", Math.Abs(cov - 0.8) > half,
                FormattableString.Invariant($"P10–P90 coverage {cov:P1} of the last {last.Count} matured {last[0].Forecast.Model} forecasts (targets {last[0].Forecast.TargetDate:yyyy-MM-dd} … {last[^1].Forecast.TargetDate:yyyy-MM-dd}); band {0.8 - half:P1} … {0.8 + half:P1}"));
        }
    }

    /// <summary>Skill of the latest matured released forecasts against the reference per horizon (<see cref="SkillRule"/>).</summary>
    public static IEnumerable<AlertCheck> Skill(IReadOnlyList<MaturedForecast> matured, IEnumerable<int> horizons, SkillRule rule)
    {
        foreach (var h in horizons)
        {
            if (rule.Window / (double)h < 10) continue;
            var point = MaturedScoring.Rolling(matured, h, Roles.Released, rule.Window).LastOrDefault();
            if (point.N < rule.Window || double.IsNaN(point.Skill)) continue;
            yield return new AlertCheck("skill", $"h{h}", point.Skill < rule.Min,
                FormattableString.Invariant($"quantile-score skill {point.Skill:+0.0%;−0.0%} against the random walk over the last {point.N} matured forecasts (to {point.Date:yyyy-MM-dd}); floor {rule.Min:+0.0%;−0.0%}"));
        }
    }

    /// <summary>Every source of the snapshot whose latest value available by its as-of date is older than its limit —
    /// daily bars and series, the weekly COT report of each market, the monthly Pink Sheet (one release for all its
    /// codes) — among the sources that were current on <paramref name="currentOn"/>'s date (the end of the released models'
    /// training data): a source that had already stopped then is discontinued, not a new alert. A source's limit is the
    /// rule's for its frequency or, when longer, the longest it went without a new value in the year before that date
    /// (its own rhythm: the EIA spot series arrive weekly in batches, so a daily limit would fire every week).</summary>
    /// <param name="snapshot">The warehouse as of the operations day.</param>
    /// <param name="currentOn">The warehouse as of the day the sources are required to have been current.</param>
    /// <param name="rule">Limits.</param>
    /// <exception cref="ArgumentException">a snapshot without an as-of date.</exception>
    public static IEnumerable<AlertCheck> Stale(Snapshot snapshot, Snapshot currentOn, StaleRule rule)
    {
        var asOf = snapshot.AsOf ?? throw new ArgumentException("a stale-input check needs a snapshot as of a date.", nameof(snapshot));
        var then = currentOn.AsOf ?? throw new ArgumentException("a stale-input check needs the reference snapshot as of a date.", nameof(currentOn));
        var reference = Sources(currentOn, rule).ToDictionary(s => s.Source);
        foreach (var (source, kind, _, values) in Sources(snapshot, rule))
        {
            if (!reference.TryGetValue(source, out var before) || before.Values.Count == 0) continue;
            var limit = Math.Max(before.Limit, LongestWait(before.Values, then));
            if (then.DayNumber - before.Values[^1].Date.DayNumber > limit) continue; // already discontinued then
            var last = values.Count > 0 ? values[^1].Date : (DateOnly?)null;
            var age = last is { } d ? asOf.DayNumber - d.DayNumber : int.MaxValue;
            yield return new AlertCheck("stale-input", source, age > limit,
                last is null ? $"{kind} source {source}: no value available by {asOf:yyyy-MM-dd}"
                    : FormattableString.Invariant($"{kind} source {source}: latest value dated {last:yyyy-MM-dd}, {age} days before {asOf:yyyy-MM-dd} (limit {limit} days: the longer of the rule's {before.Limit} and its longest wait in the year to {then:yyyy-MM-dd})"));
        }
    }

    /// <summary>The longest time, in days, from a value's date to the availability of the next one, over the values that
    /// became available in the year before <paramref name="end"/>.</summary>
    static int LongestWait(IReadOnlyList<(DateOnly Date, DateOnly Available)> values, DateOnly end)
    {
        var longest = 0;
        for (var i = 1; i < values.Count; i++)
            if (values[i].Available > end.AddDays(-365))
                longest = Math.Max(longest, values[i].Available.DayNumber - values[i - 1].Date.DayNumber);
        return longest;
    }

    /// <summary>Each source with its kind, the rule's limit and its values (date, availability date), as available in the
    /// snapshot. Prices are usable on their own date (close of the session).</summary>
    static IEnumerable<(string Source, string Kind, int Limit, IReadOnlyList<(DateOnly Date, DateOnly Available)> Values)> Sources(Snapshot s, StaleRule rule)
    {
        foreach (var x in s.Symbols) yield return (x, "daily price", rule.DailyDays, s.Bars(x).Select(b => (b.Date, b.Date)).ToList());
        foreach (var x in s.SeriesNames) yield return (x, "daily series", rule.DailyDays, s.Series(x).Select(o => (o.Date, o.AvailableDate)).ToList());
        foreach (var x in s.CotMarkets) yield return ($"COT {x}", "weekly", rule.WeeklyDays, s.Cot(x).Select(c => (c.AvailableDate, c.AvailableDate)).ToList());
        // The Pink Sheet is one monthly release: its dates are the months any code was published for.
        var months = s.MonthlyNames.SelectMany(c => s.Monthly(c)).Select(o => (o.AvailableDate, o.AvailableDate)).Distinct().Order().ToList();
        yield return ("Pink Sheet", "monthly", rule.MonthlyDays, months);
    }

    /// <summary>Feature drift of a frame's latest <see cref="DriftRule.Window"/> rows up to <paramref name="asOfRow"/> against
    /// the training rows (<see cref="FeatureReport.KsDrift"/>).</summary>
    /// <param name="frame">The feature frame.</param>
    /// <param name="trainRows">The operated models' training rows.</param>
    /// <param name="asOfRow">The row of the as-of session.</param>
    /// <param name="rule">Thresholds.</param>
    /// <param name="subject">Whose inputs (e.g. the models reading them).</param>
    public static AlertCheck Drift(Frame frame, IReadOnlyList<int> trainRows, int asOfRow, DriftRule rule, string subject)
    {
        var recent = Enumerable.Range(Math.Max(0, asOfRow - rule.Window + 1), Math.Min(rule.Window, asOfRow + 1)).ToArray();
        var drift = FeatureReport.KsDrift(frame, trainRows, recent).Where(d => d.KsStatistic > rule.KsAbove).ToList();
        return new AlertCheck("feature-drift", subject, drift.Count > rule.MaxFeatures,
            FormattableString.Invariant($"{drift.Count} of {frame.FeatureNames.Length} features have KS D > {rule.KsAbove} between the training rows and the {recent.Length} sessions to {frame.Dates[asOfRow]:yyyy-MM-dd} (tolerated {rule.MaxFeatures})") +
            (drift.Count > 0 ? ": " + string.Join(", ", drift.Take(5).Select(d => FormattableString.Invariant($"{d.Feature} {d.KsStatistic:0.00}"))) + (drift.Count > 5 ? ", …" : "") : ""));
    }

    /// <summary>A correlation break (<see cref="CorrelationRule"/>), evaluated only when both windows are full and the market
    /// is current (its last common date within the stale rule's daily limit: a stopped market is the stale rule's alert).</summary>
    public static AlertCheck? Correlation(CorrelationPoint point, CorrelationRule rule, StaleRule stale)
    {
        if (double.IsNaN(point.Z) || point.AsOf.DayNumber - point.LastCommonDate.DayNumber > stale.DailyDays) return null;
        return new AlertCheck("correlation-break", point.Market, Math.Abs(point.Z) > rule.Z,
            FormattableString.Invariant($"correlation of ZL with {point.Market} {point.Correlation:0.00} over the last {point.N} common return days to {point.LastCommonDate:yyyy-MM-dd} against {point.ReferenceCorrelation:0.00} over the {point.ReferenceN} before; Fisher z {point.Z:0.00} (threshold ±{rule.Z})"));
    }

    /// <summary>A collapsed band (<see cref="BandRule"/>) of each horizon's released forecast made on a day, against the
    /// reference's forecast from the same origin.</summary>
    public static IEnumerable<AlertCheck> Band(IEnumerable<OperationalForecast> today, BandRule rule)
    {
        var list = today.ToList();
        foreach (var f in list.Where(f => f.Role == Roles.Released).OrderBy(f => f.Horizon))
        {
            if (list.FirstOrDefault(r => r.Role == Roles.Reference && r.Horizon == f.Horizon && r.OriginDate == f.OriginDate) is not { } r) continue;
            var lo = (f.Q50 - f.Q10) / (r.Q50 - r.Q10);
            var hi = (f.Q90 - f.Q50) / (r.Q90 - r.Q50);
            yield return new AlertCheck("band-collapse", $"h{f.Horizon}", Math.Min(lo, hi) < rule.MinSideShare,
                FormattableString.Invariant($"{f.ModelVersion} from {f.OriginDate:yyyy-MM-dd}: P10 {f.P10:0.00} / P50 {f.P50:0.00} / P90 {f.P90:0.00} c/lb; its lower side is {lo:P1} and its upper side {hi:P1} of the random walk's (minimum {rule.MinSideShare:P1})"));
        }
    }

    /// <summary>A promotion proposal for each horizon's shadow candidate (<see cref="ShadowRule"/>), from the matured forecasts
    /// both made at the same origins; the evidence says how many of the pairs were made ex ante (live) and how many replayed.</summary>
    public static IEnumerable<AlertCheck> Promotion(IReadOnlyList<MaturedForecast> matured, ShadowRule rule)
    {
        foreach (var g in matured.Where(m => m.Forecast.Role == Roles.Shadow).GroupBy(m => m.Forecast.Horizon))
        {
            var h = g.Key;
            var released = matured.Where(m => m.Forecast.Horizon == h && m.Forecast.Role == Roles.Released).ToDictionary(m => m.Forecast.OriginDate);
            var pairs = g.Where(m => released.ContainsKey(m.Forecast.OriginDate)).Select(m => (Shadow: m, Released: released[m.Forecast.OriginDate])).ToList();
            var subject = $"h{h} shadow {g.First().Forecast.Model}";
            if (pairs.Count < 10 * h || pairs.Count < h + 2)
            {
                yield return new AlertCheck("promotion-proposed", subject, false, FormattableString.Invariant($"{pairs.Count} paired matured forecasts: fewer than 10 non-overlapping {h}-day periods, no test"));
                continue;
            }
            var s = pairs.Average(p => p.Shadow.QuantileScore);
            var r = pairs.Average(p => p.Released.QuantileScore);
            var gain = 1 - s / r;
            double p;
            try { p = Evaluation.Metrics.DieboldMariano(pairs.Select(x => x.Shadow.QuantileScore).ToArray(), pairs.Select(x => x.Released.QuantileScore).ToArray(), h).PValue; }
            catch (ArgumentException) { p = 1; } // identical losses: no difference to test
            yield return new AlertCheck("promotion-proposed", subject, gain >= rule.Margin && p < rule.PValue,
                FormattableString.Invariant($"shadow {g.First().Forecast.ModelVersion} against released {pairs[0].Released.Forecast.ModelVersion} over {pairs.Count} matured forecasts ({pairs.Count(x => x.Shadow.Forecast.ExAnte && x.Released.Forecast.ExAnte)} of the pairs made ex ante, the rest replayed): quantile score {s:0.00000} vs {r:0.00000} ({gain:+0.0%;−0.0%}), Diebold–Mariano p {p:G3}; proposal needs ≥ {rule.Margin:P0} and p < {rule.PValue}"));
        }
    }

}

/// <summary>Turns daily rule checks into alerts: an alert fires on the day a condition begins and resolves once it has been
/// clear on <see cref="ClearChecks"/> consecutive checks, so a condition that lasts is delivered once, not every day, and
/// one that hovers at its threshold does not fire and resolve day after day.</summary>
/// <param name="clearChecks">Consecutive clear checks before an active condition resolves (≥ 1; default 3).</param>
public sealed class AlertBook(int clearChecks = 3)
{
    readonly Dictionary<(string Rule, string Subject), string> active = [];
    readonly Dictionary<(string Rule, string Subject), int> clear = [];

    /// <summary>Consecutive clear checks before an active condition resolves.</summary>
    public int ClearChecks { get; } = clearChecks >= 1 ? clearChecks : throw new ArgumentOutOfRangeException(nameof(clearChecks), clearChecks, "at least 1.");

    /// <summary>The (rule, subject) pairs active now, with their evidence when they fired.</summary>
    public IReadOnlyDictionary<(string Rule, string Subject), string> Active => active;

    sealed record Entry(string Rule, string Subject, string Evidence, int ClearSoFar = 0);

    /// <summary>The book saved at <paramref name="path"/> (none active when there is no file).</summary>
    /// <exception cref="InvalidDataException">the file is not an alert state (naming it).</exception>
    public static AlertBook Load(string path)
    {
        var book = new AlertBook();
        if (!File.Exists(path)) return book;
        try
        {
            foreach (var e in System.Text.Json.JsonSerializer.Deserialize<Entry[]>(File.ReadAllText(path)) ?? [])
            {
                book.active[(e.Rule, e.Subject)] = e.Evidence;
                if (e.ClearSoFar > 0) book.clear[(e.Rule, e.Subject)] = e.ClearSoFar;
            }
        }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{Workbench.Relative(path)}: not an alert state ({e.Message}).", e); }
        return book;
    }

    /// <summary>Saves the active conditions and how many clear checks each has had since (atomically).</summary>
    public void Save(string path)
    {
        AtomicFile.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(
            active.OrderBy(kv => kv.Key.Rule, StringComparer.Ordinal).ThenBy(kv => kv.Key.Subject, StringComparer.Ordinal).Select(kv => new Entry(kv.Key.Rule, kv.Key.Subject, kv.Value, clear.GetValueOrDefault(kv.Key))),
            new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Applies one day's checks; returns the alerts that fire or resolve on it. A (rule, subject) not checked on the
    /// day keeps its state (a weekly rule, a horizon whose window is not yet full).</summary>
    public IReadOnlyList<Alert> Update(DateOnly asOf, IEnumerable<AlertCheck> checks)
    {
        var list = new List<Alert>();
        foreach (var c in checks)
        {
            var key = (c.Rule, c.Subject);
            var was = active.ContainsKey(key);
            if (c.Active) clear.Remove(key);
            if (c.Active && !was) { active[key] = c.Evidence; list.Add(new Alert(asOf, c.Rule, c.Subject, "fired", c.Evidence)); }
            else if (!c.Active && was && (clear[key] = clear.GetValueOrDefault(key) + 1) >= ClearChecks)
            {
                active.Remove(key);
                clear.Remove(key);
                list.Add(new Alert(asOf, c.Rule, c.Subject, "resolved", c.Evidence));
            }
        }
        return list;
    }
}

/// <summary>Delivers alerts: always to a JSON-lines file, and by e-mail when <see cref="EmailRule.Host"/> is set.</summary>
public static class AlertDelivery
{
    /// <summary>Adds alerts to <paramref name="path"/>, one JSON object per line, skipping any already there (same day,
    /// rule, subject and state: a re-run delivers nothing twice); atomically (a crash leaves the previous file).</summary>
    /// <returns>How many were new.</returns>
    /// <exception cref="InvalidDataException">the file has a line that is not an alert (naming file and line).</exception>
    public static int ToFile(string path, IReadOnlyList<Alert> alerts)
    {
        var existing = JsonLines.Read<Alert>(path, "an alert");
        var seen = existing.Select(a => (a.AsOf, a.Rule, a.Subject, a.State)).ToHashSet();
        var fresh = alerts.Where(a => seen.Add((a.AsOf, a.Rule, a.Subject, a.State))).ToList();
        if (fresh.Count > 0) JsonLines.AppendAll(path, fresh);
        return fresh.Count;
    }

    /// <summary>Sends the alerts of a day as one e-mail (MailKit SMTP client); nothing when there are none or no host.</summary>
    /// <returns>Whether a message was sent.</returns>
    /// <exception cref="InvalidOperationException">the server refused or could not be reached (naming host and port).</exception>
    public static bool Email(EmailRule rule, IReadOnlyList<Alert> alerts, string profile)
    {
        if (alerts.Count == 0 || string.IsNullOrEmpty(rule.Host)) return false;
        var message = new MimeKit.MimeMessage();
        message.From.Add(MimeKit.MailboxAddress.Parse(rule.From));
        foreach (var to in rule.To) message.To.Add(MimeKit.MailboxAddress.Parse(to));
        var fired = alerts.Count(a => a.State == "fired");
        message.Subject = FormattableString.Invariant($"[cbi {profile}] {alerts[0].AsOf:yyyy-MM-dd}: {fired} alert(s) fired, {alerts.Count - fired} resolved");
        message.Body = new MimeKit.TextPart("plain")
        {
            Text = string.Join("\n\n", alerts.Select(a => $"{a.State.ToUpperInvariant()} {a.Rule} — {a.Subject} ({a.AsOf:yyyy-MM-dd})\n{a.Evidence}")) + "\n",
        };
        var security = rule.Security switch
        {
            "ssl" => MailKit.Security.SecureSocketOptions.SslOnConnect,
            "starttls" => MailKit.Security.SecureSocketOptions.StartTls,
            _ => MailKit.Security.SecureSocketOptions.None,
        };
        try
        {
            using var client = new MailKit.Net.Smtp.SmtpClient();
            client.Connect(rule.Host, rule.Port, security);
            client.Send(message);
            client.Disconnect(true);
            return true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or MailKit.ProtocolException or MailKit.Net.Smtp.SmtpCommandException)
        {
            throw new InvalidOperationException($"alert e-mail to {rule.Host}:{rule.Port} failed: {e.Message}", e);
        }
    }

}
