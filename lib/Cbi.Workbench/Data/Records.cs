namespace Cbi.Workbench.Data;

/// <summary>One daily bar. NaN = the source has no such field that day (e.g. open/close-only sources have
/// no high, low or volume). Prices are as quoted (not back-adjusted) unless the symbol says otherwise.</summary>
/// <param name="Date">Trading date of the bar (the exchange session date, no time of day).</param>
/// <param name="Open">Opening price in the symbol's quote units (ZL: US cents per pound; see <see cref="RawFile.Units"/>), or NaN.</param>
/// <param name="High">Session high in the same units, or NaN.</param>
/// <param name="Low">Session low in the same units, or NaN.</param>
/// <param name="Close">Close in the same units (Yahoo close; Quandl CHRIS settlement for the second-contract symbols such as ZL2).</param>
/// <param name="Volume">Volume as reported by the source (no unit conversion), or NaN where the source has none.</param>
public readonly record struct Bar(DateOnly Date, double Open, double High, double Low, double Close, double Volume);

/// <summary>A dated value of a macro/FX/spot series. <see cref="AvailableDate"/> is the first ZL trading
/// date on which a forecaster may use it (its publication, made conservative where the exact time is unknown).</summary>
/// <param name="Date">The date the value refers to (for monthly Pink Sheet values: the first day of the month).</param>
/// <param name="AvailableDate">First date on which the value may be used (rules in <see cref="Availability"/>); always ≥ <paramref name="Date"/>.</param>
/// <param name="Value">The value in the series' own units (e.g. DGS10 in percent, DEXBZUS in BRL per USD, WTI_SPOT in USD/bbl).</param>
public readonly record struct Observation(DateOnly Date, DateOnly AvailableDate, double Value);

/// <summary>A CFTC Commitments of Traders (legacy, futures only) row. Positions in contracts; NaN where the
/// source lacks the field (the 1987–2008 history has commercial long/short only).</summary>
/// <param name="Market">COT market name: SBO (soybean oil), SOYBEANS or SBM (soybean meal).</param>
/// <param name="AsOfDate">The report's as-of date (normally a Tuesday).</param>
/// <param name="ReleaseDate">CFTC release date (<see cref="Availability.CotRelease"/>), after the ZL close of that day.</param>
/// <param name="AvailableDate">First ZL trading day strictly after <paramref name="ReleaseDate"/>: when a forecaster may use the row.</param>
/// <param name="OpenInterest">Open interest, contracts.</param>
/// <param name="NonCommercialLong">Non-commercial long positions, contracts.</param>
/// <param name="NonCommercialShort">Non-commercial short positions, contracts.</param>
/// <param name="NonCommercialSpread">Non-commercial spreading positions, contracts.</param>
/// <param name="CommercialLong">Commercial long positions, contracts.</param>
/// <param name="CommercialShort">Commercial short positions, contracts.</param>
/// <param name="NonReportableLong">Non-reportable long positions, contracts.</param>
/// <param name="NonReportableShort">Non-reportable short positions, contracts.</param>
/// <param name="Source">Source tag: <c>cftc_legacy_vitor</c> (2009 →) or <c>quandl_cftc</c> (earlier, commercial positions only).</param>
public sealed record CotRow(string Market, DateOnly AsOfDate, DateOnly ReleaseDate, DateOnly AvailableDate,
    double OpenInterest, double NonCommercialLong, double NonCommercialShort, double NonCommercialSpread,
    double CommercialLong, double CommercialShort, double NonReportableLong, double NonReportableShort, string Source);

/// <summary>A ZL futures contract (CBOT soybean oil): code like ZLN26, contract month, and its last trading
/// day (the business day before the 15th calendar day of the contract month).</summary>
/// <param name="Code">Contract code: "ZL" + month letter (F H K N Q U V Z) + two-digit year, e.g. ZLN26.</param>
/// <param name="Month">First day of the contract (delivery) month.</param>
/// <param name="LastTradingDay">Last trading day (rule in <see cref="ZlCalendar"/>).</param>
public sealed record ZlContract(string Code, DateOnly Month, DateOnly LastTradingDay);

/// <summary>A WASDE release date. <see cref="Note"/> says why a date is doubtful, if it is.</summary>
/// <param name="Date">Release date of the USDA World Agricultural Supply and Demand Estimates report.</param>
/// <param name="Source">Source file tag (<c>wasde_dubilava</c> or <c>wasde_josea</c>).</param>
/// <param name="Note">Why the date is doubtful or was corrected; null when it is not.</param>
public sealed record WasdeRelease(DateOnly Date, string Source, string? Note);

/// <summary>A price series as read from one file, in file order, with the line of each bar. <paramref name="Columns"/>
/// names the file's open, high, low, close and volume columns (null where the file has none), for messages.</summary>
internal sealed record PriceFile(string Symbol, string Source, string File, string Units, List<Bar> Bars, List<int> Lines,
    string?[]? Columns = null);

/// <summary>A dated series as read from one file, in file order; missing values are absent. <paramref name="Column"/> is
/// the file's value column, for messages.</summary>
internal sealed record SeriesFile(string Name, string Source, string File, string Units, List<(DateOnly Date, double Value, int Line)> Values,
    string Column = "value");

internal sealed record PinkValue(string Code, string Unit, DateOnly Month, double Value);
