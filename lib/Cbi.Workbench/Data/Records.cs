namespace Cbi.Workbench.Data;

/// <summary>One daily bar. NaN = the source has no such field that day (e.g. open/close-only sources have
/// no high, low or volume). Prices are as quoted (not back-adjusted) unless the symbol says otherwise.</summary>
public readonly record struct Bar(DateOnly Date, double Open, double High, double Low, double Close, double Volume);

/// <summary>A dated value of a macro/FX/spot series. <see cref="AvailableDate"/> is the first ZL trading
/// date on which a forecaster may use it (its publication, made conservative where the exact time is unknown).</summary>
public readonly record struct Observation(DateOnly Date, DateOnly AvailableDate, double Value);

/// <summary>A CFTC Commitments of Traders (legacy, futures only) row. Positions in contracts; NaN where the
/// source lacks the field (the 1987–2008 history has commercial long/short only).</summary>
public sealed record CotRow(string Market, DateOnly AsOfDate, DateOnly ReleaseDate, DateOnly AvailableDate,
    double OpenInterest, double NonCommercialLong, double NonCommercialShort, double NonCommercialSpread,
    double CommercialLong, double CommercialShort, double NonReportableLong, double NonReportableShort, string Source);

/// <summary>A ZL futures contract (CBOT soybean oil): code like ZLN26, contract month, and its last trading
/// day (the business day before the 15th calendar day of the contract month).</summary>
public sealed record ZlContract(string Code, DateOnly Month, DateOnly LastTradingDay);

/// <summary>A WASDE release date. <see cref="Note"/> says why a date is doubtful, if it is.</summary>
public sealed record WasdeRelease(DateOnly Date, string Source, string? Note);

/// <summary>A price series as read from one file, in file order, with the line of each bar.</summary>
internal sealed record PriceFile(string Symbol, string Source, string File, string Units, List<Bar> Bars, List<int> Lines);

/// <summary>A dated series as read from one file, in file order; missing values are absent.</summary>
internal sealed record SeriesFile(string Name, string Source, string File, string Units, List<(DateOnly Date, double Value, int Line)> Values);

internal sealed record PinkValue(string Code, string Unit, DateOnly Month, double Value);
