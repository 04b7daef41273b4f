using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cbi.Workbench.Operations;

/// <summary>The alert rules and the shadow-promotion margin, in one file (<c>config/operations.json</c>, JSON with
/// comments: each threshold's reason is a comment beside it). A missing section or setting takes the defaults below.</summary>
/// <param name="Coverage">P10–P90 coverage of the latest matured forecasts outside a band around 80 %.</param>
/// <param name="Skill">Quantile-score skill of the latest matured forecasts against the random walk below a floor.</param>
/// <param name="Stale">An input source that stopped updating.</param>
/// <param name="Drift">Feature drift of the inputs of the operated models that read features.</param>
/// <param name="Correlation">A break in the correlation of ZL returns with a related market.</param>
/// <param name="Shadow">When a shadow candidate's matured record proposes a promotion.</param>
/// <param name="Email">Delivery by e-mail (SMTP); none when <see cref="EmailRule.Host"/> is empty.</param>
/// <param name="Band">A released forecast whose band has collapsed on one side.</param>
public sealed record OperationsRules(CoverageRule Coverage, SkillRule Skill, StaleRule Stale, DriftRule Drift, CorrelationRule Correlation,
    ShadowRule Shadow, EmailRule Email, BandRule? Band = null)
{
    /// <summary>The defaults (the values of the committed <c>config/operations.json</c>).</summary>
    public static OperationsRules Default => new(new(), new(), new(), new(), new(), new(), new(), new());

    /// <summary>config/operations.json under the repository root.</summary>
    public static string DefaultPath => Path.Combine(Workbench.Root, "config", "operations.json");

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads and checks a rules file.</summary>
    /// <exception cref="FileNotFoundException">no such file.</exception>
    /// <exception cref="InvalidDataException">not valid JSON, an unknown setting, or a value out of range — naming the file,
    /// the line and the setting.</exception>
    public static OperationsRules Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no operations rules at {Workbench.Relative(path)}.", path);
        OperationsRules? r;
        try { r = JsonSerializer.Deserialize<OperationsRules>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{Workbench.Relative(path)} line {(e.LineNumber ?? -1) + 1}, {e.Path}: {e.Message.Split(" Path:")[0]}", e); }
        r ??= Default;
        r = r with
        {
            Coverage = r.Coverage ?? new(), Skill = r.Skill ?? new(), Stale = r.Stale ?? new(), Drift = r.Drift ?? new(),
            Correlation = r.Correlation ?? new(), Shadow = r.Shadow ?? new(), Email = r.Email ?? new(), Band = r.Band ?? new(),
        };
        r.Check(Workbench.Relative(path));
        return r;
    }

    void Check(string file)
    {
        void Require(bool ok, string setting, object value, string expected)
        {
            if (!ok) throw new InvalidDataException($"{file}: {setting} = {value} is not {expected}.");
        }
        Require(Coverage.Window >= 10, "coverage.window", Coverage.Window, "≥ 10");
        Require(Coverage.Z > 0, "coverage.z", Coverage.Z, "> 0");
        Require(Skill.Window >= 10, "skill.window", Skill.Window, "≥ 10");
        Require(Skill.Min is > -1 and < 1, "skill.min", Skill.Min, "in (−1, 1)");
        Require(Stale.DailyDays >= 1 && Stale.WeeklyDays >= 7 && Stale.MonthlyDays >= 31, "stale", $"{Stale.DailyDays}/{Stale.WeeklyDays}/{Stale.MonthlyDays}", "≥ 1 / 7 / 31 days");
        Require(Drift.Window >= 20, "drift.window", Drift.Window, "≥ 20");
        Require(Drift.KsAbove is > 0 and < 1, "drift.ksAbove", Drift.KsAbove, "in (0, 1)");
        Require(Drift.EverySessions >= 1, "drift.everySessions", Drift.EverySessions, "≥ 1");
        Require(Correlation.Window >= 20 && Correlation.Reference >= Correlation.Window, "correlation.window/reference", $"{Correlation.Window}/{Correlation.Reference}", "≥ 20 and reference ≥ window");
        Require(Correlation.Z > 0, "correlation.z", Correlation.Z, "> 0");
        Require(Correlation.Markets is { Count: > 0 }, "correlation.markets", "[]", "a non-empty list");
        Require(Shadow.Margin is >= 0 and < 1, "shadow.margin", Shadow.Margin, "in [0, 1)");
        Require(Shadow.PValue is > 0 and < 1, "shadow.pValue", Shadow.PValue, "in (0, 1)");
        Require(Band!.MinSideShare is > 0 and < 1, "band.minSideShare", Band.MinSideShare, "in (0, 1)");
        Require(Email.Port is > 0 and < 65536, "email.port", Email.Port, "a TCP port");
        Require(Email.Security is "none" or "starttls" or "ssl", "email.security", Email.Security, "none, starttls or ssl");
        Require(string.IsNullOrEmpty(Email.Host) || Email.To is { Count: > 0 }, "email.to", "[]", "at least one address when email.host is set");
    }
}

/// <summary>Coverage of the latest <see cref="Window"/> matured forecasts of a horizon outside 0.8 ± Z·√(0.16·h / Window)
/// (the binomial band widened for h-day overlap: about Window/h independent outcomes). Evaluated only where
/// Window/h ≥ 10, since fewer independent outcomes cannot tell a miscalibrated band from noise.</summary>
/// <param name="Window">Matured forecasts in the window (≥ 10).</param>
/// <param name="Z">Band half-width in standard errors (2.58: a 1 % false-alarm rate per check under calibration).</param>
public sealed record CoverageRule(int Window = 60, double Z = 2.58);

/// <summary>Quantile-score skill against the random walk of the latest <see cref="Window"/> matured forecasts below
/// <see cref="Min"/>; evaluated where Window/h ≥ 10.</summary>
/// <param name="Window">Matured forecasts (≥ 10).</param>
/// <param name="Min">Skill floor (fraction; −0.05: 5 % worse than the random walk).</param>
public sealed record SkillRule(int Window = 120, double Min = -0.05);

/// <summary>A source whose latest value available by the as-of date is older than the limit for its frequency.</summary>
/// <param name="DailyDays">Calendar days for daily prices and series (7: a week without a value).</param>
/// <param name="WeeklyDays">Calendar days for the weekly COT reports (14).</param>
/// <param name="MonthlyDays">Calendar days for the monthly Pink Sheet (75: one monthly release missed).</param>
public sealed record StaleRule(int DailyDays = 7, int WeeklyDays = 14, int MonthlyDays = 75);

/// <summary>More than <see cref="MaxFeatures"/> features whose latest <see cref="Window"/> sessions differ from the
/// operated model's training rows by a two-sample Kolmogorov–Smirnov D above <see cref="KsAbove"/> (D, not its p-value:
/// daily features are autocorrelated, so the p-value overstates significance).</summary>
/// <param name="Window">Latest sessions compared (≥ 20).</param>
/// <param name="KsAbove">KS D threshold (0.5: half the mass has moved).</param>
/// <param name="MaxFeatures">Drifting features tolerated.</param>
/// <param name="EverySessions">Checked every this many sessions (a weekly check: the statistic moves slowly).</param>
public sealed record DriftRule(int Window = 63, double KsAbove = 0.5, int MaxFeatures = 10, int EverySessions = 5);

/// <summary>A break in the correlation of ZL daily log returns with a market: the latest <see cref="Window"/> returns
/// against the <see cref="Reference"/> returns before them, Fisher's z test of equal correlations (independent windows)
/// beyond <see cref="Z"/>.</summary>
/// <param name="Window">Latest common return days (≥ 20; 63 ≈ a quarter).</param>
/// <param name="Reference">Return days before the window (≥ Window; 252 ≈ a year).</param>
/// <param name="Z">|z| threshold (3.29: two-sided p &lt; 0.001 per market and check).</param>
/// <param name="Markets">Markets (warehouse symbols or daily series).</param>
public sealed record CorrelationRule(int Window = 63, int Reference = 252, double Z = 3.29, IReadOnlyList<string>? Markets = null)
{
    /// <summary>Palm oil (FCPO), crude (CL), heating oil (HO), soybean meal (ZM) and the real (DEXBZUS, BRL per USD).</summary>
    public IReadOnlyList<string> Markets { get; init; } = Markets ?? ["FCPO", "CL", "HO", "ZM", "DEXBZUS"];
}

/// <summary>A shadow candidate is proposed for promotion when, over its matured forecasts at a horizon (at least 10
/// non-overlapping periods), its quantile score beats the released model's by at least <see cref="Margin"/> and the
/// Diebold–Mariano test of the difference has p below <see cref="PValue"/>.</summary>
/// <param name="Margin">Relative improvement required (0.01: the size of the real gains the literature reports for these
/// markets; a smaller one is not worth a model change).</param>
/// <param name="PValue">Diebold–Mariano level.</param>
public sealed record ShadowRule(double Margin = 0.01, double PValue = 0.05);

/// <summary>A released forecast one of whose sides (P50 − P10 or P90 − P50) is narrower than <see cref="MinSideShare"/> of the
/// same side of the random walk's forecast from the same origin: a band that has collapsed onto its median (adaptive
/// conformal inference does this after a long one-sided run) says "no risk on this side", which no market supports.</summary>
/// <param name="MinSideShare">Share of the reference's side (0.1).</param>
public sealed record BandRule(double MinSideShare = 0.1);

/// <summary>SMTP delivery of alerts.</summary>
/// <param name="Host">SMTP host; empty: no e-mail (the alert file always).</param>
/// <param name="Port">SMTP port.</param>
/// <param name="Security"><c>none</c>, <c>starttls</c> or <c>ssl</c>.</param>
/// <param name="From">Sender address.</param>
/// <param name="To">Recipients.</param>
public sealed record EmailRule(string Host = "", int Port = 25, string Security = "none", string From = "cbi-workbench@localhost", IReadOnlyList<string>? To = null)
{
    /// <summary>Recipients (empty when none).</summary>
    public IReadOnlyList<string> To { get; init; } = To ?? [];
}
