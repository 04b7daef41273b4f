using Cbi.Workbench.IO;
using System.Security.Cryptography;
using System.Text;
using Cbi.Workbench.Reporting;

namespace Cbi.Workbench.Data;

/// <summary>One vendored raw file: where it came from (data/raw/PROVENANCE.md) and its SHA-256.</summary>
/// <param name="Path">Path relative to data/raw, '/'-separated (e.g. <c>yahoo_commodities_ubitron/Soybean Oil.csv</c>).</param>
/// <param name="Repo">Upstream GitHub repository (owner/name).</param>
/// <param name="Commit">Upstream commit the file was taken from.</param>
/// <param name="RepoPath">Path of the file in the upstream repository.</param>
/// <param name="Licence">Licence as stated upstream (often "not stated").</param>
/// <param name="Units">Units of the file's values, e.g. "US cents/lb", "USD/bbl", "contracts".</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes.</param>
/// <param name="Line">Line of the entry in MANIFEST.tsv (1-based; 0 when not read from a file).</param>
internal sealed record RawFile(string Path, string Repo, string Commit, string RepoPath, string Licence, string Units, string Sha256, int Line = 0);

/// <summary>data/raw/MANIFEST.tsv: the provenance facts of every vendored file plus its hash. The facts are
/// transcribed once from PROVENANCE.md (below); <see cref="Write"/> regenerates the file from them and the
/// files' current hashes, <see cref="Verify"/> checks the files against the committed manifest.</summary>
internal static class RawManifest
{
    /// <summary>File name of the manifest inside the raw directory: <c>MANIFEST.tsv</c>.</summary>
    public const string FileName = "MANIFEST.tsv";
    static readonly string[] Columns = ["path", "repo", "commit", "repo_path", "licence", "units", "sha256"];

    // (folder, repo, commit, licence) and per file (name, repo path, units) — from PROVENANCE.md §1–§13.
    static readonly (string Folder, string Repo, string Commit, string Licence, (string File, string RepoPath, string Units)[] Files)[] Facts =
    [
        ("yahoo_commodities_ubitron", "Ubitron360/datasets", "6ee475e9610142d4fe657bd3124e049afa2e18a7", "not stated (Yahoo Finance terms upstream)",
        [
            ("Soybean Oil.csv", "Soybean Oil.csv", "US cents/lb"), ("Soybean.csv", "Soybean.csv", "US cents/bu"),
            ("Soybean Meal.csv", "Soybean Meal.csv", "USD/short ton"), ("Corn.csv", "Corn.csv", "US cents/bu"),
            ("Crude Oil.csv", "Crude Oil.csv", "USD/bbl"), ("Heating Oil.csv", "Heating Oil.csv", "USD/gal"),
            ("Brent Crude Oil.csv", "Brent Crude Oil.csv", "USD/bbl"),
        ]),
        ("palm_fcpo_omar", "omarmohdharis/Palm-Oil-Futures", "eeaf10549c53aae4febf8448b9249ced5c7a3310", "not stated (TradingView / Yahoo Finance upstream)",
        [
            ("fcpo_tradingview_myr.csv", "data/raw/fcpo/fcpo_tradingview_myr.csv", "MYR/tonne"),
            ("soybean_oil.csv", "data/raw/related/soybean_oil.csv", "US cents/lb"),
            ("usdmyr.csv", "data/raw/related/usdmyr.csv", "MYR per USD"),
        ]),
        ("yahoo_openclose_edwin", "edwin-repo/market-signal-dashboard", "313e222dc776ccfa8fdd213865c2e74d7f5a87c5", "not stated (Yahoo Finance upstream)",
        [
            ("price_ZL_F.csv", "data/price_ZL_F.csv", "US cents/lb"), ("price_ZS_F.csv", "data/price_ZS_F.csv", "US cents/bu"),
            ("price_ZM_F.csv", "data/price_ZM_F.csv", "USD/short ton"), ("price_ZC_F.csv", "data/price_ZC_F.csv", "US cents/bu"),
            ("price_CL_F.csv", "data/price_CL_F.csv", "USD/bbl"), ("price_HO_F.csv", "data/price_HO_F.csv", "USD/gal"),
            ("price_DX_F.csv", "data/price_DX_F.csv", "index points"),
        ]),
        ("quandl_chris_sergejgorev", "SergejGorev/first_trading_algo", "407349ba2c28dc61b9490af1880e1aea0044495c", "not stated (Quandl / Nasdaq Data Link upstream)",
        [
            ("ZL.csv", "data/ZL.csv", "US cents/lb"), ("ZS.csv", "data/ZS.csv", "US cents/bu"), ("ZM.csv", "data/ZM.csv", "USD/short ton"),
            ("ZC.csv", "data/ZC.csv", "US cents/bu"), ("CL.csv", "data/CL.csv", "USD/bbl"), ("HO.csv", "data/HO.csv", "USD/gal"),
            ("ZL_cot.csv", "data/ZL_cot.csv", "contracts"), ("ZS_cot.csv", "data/ZS_cot.csv", "contracts"), ("ZM_cot.csv", "data/ZM_cot.csv", "contracts"),
        ]),
        ("refinitiv_rossi", "rossi-diego/soybean-oil-predictor", "d998189d0a713de2b6a5cb85eccf62218db24368", "repo says MIT (LICENSE empty); underlying Refinitiv data terms unknown",
        [("commodities_raw_data.csv", "data/commodities_raw_data.csv", "mixed per column (boc1 c/lb, fcpoc1 MYR/t, rin-d4-us c/RIN, ...)")]),
        ("eia_oil_datasets", "datasets/oil-prices", "1b938b5bbf7df718b657448e73ea8938d6cea6c7", "ODC-PDDL-1.0 (EIA public domain)",
        [
            ("wti-daily.csv", "data/wti-daily.csv", "USD/bbl"), ("brent-daily.csv", "data/brent-daily.csv", "USD/bbl"),
            ("wti-monthly.csv", "data/wti-monthly.csv", "USD/bbl"), ("brent-monthly.csv", "data/brent-monthly.csv", "USD/bbl"),
        ]),
        ("worldbank_pinksheet", "sebapi747/gold", "cc08f2e46e3bf50712f7f025d26b5287e00b41a5", "not stated (World Bank terms upstream)",
        [("CMO-Historical-Data-Monthly.csv", "CMO-Historical-Data-Monthly.csv", "nominal USD per series unit row ($/mt, $/bbl, ...)")]),
        ("cftc_cot_legacy_vitor", "vitor-machado-fernandes/cftc-cot-dashboard", "09627fdea77795080a575da542e1a7842285ecf5", "not stated (CFTC public reporting upstream)",
        [
            ("CoT_Disagg_FutsOnly__SBO.csv", "CoT_Disagg_FutsOnly.xlsx#SBO (sheet extracted to CSV)", "contracts"),
            ("CoT_Disagg_FutsOnly__Soybeans.csv", "CoT_Disagg_FutsOnly.xlsx#Soybeans (sheet extracted to CSV)", "contracts"),
            ("CoT_Disagg_FutsOnly__SBM.csv", "CoT_Disagg_FutsOnly.xlsx#SBM (sheet extracted to CSV)", "contracts"),
        ]),
        ("vix_cboe_datasets", "datasets/finance-vix", "6f56e2760520824b787cf6b85945c62186d38bc6", "ODC-PDDL-1.0",
        [("vix-daily.csv", "data/vix-daily.csv", "index points")]),
        ("fred_dgs10_carpet155", "carpet155/macro_regime_project", "36349bdd8aa43b03b8383f4ca46779c1459ff4c4", "not stated (FRED upstream)",
        [("DGS10.csv", "data/raw/DGS10.csv", "percent")]),
        ("fred_dexbzus_joshgainer", "joshgainer/LSTMforecast", "fbe5e99ae9290b6c935180b9021acadde020eb28", "not stated (FRED upstream)",
        [("DEXBZUS.csv", "DEXBZUS.csv", "BRL per USD")]),
        ("fred_dexbzus_wygong", "wygong-0525/ERP-Journal-Risk-Analytics", "3457a6f2a1188910646f5c74d62d4d81d3f39d86", "not stated (FRED upstream)",
        [("DEXBZUS.csv", "data/raw/DEXBZUS.csv", "BRL per USD")]),
        ("fred_fx_monthly_datasets", "datasets/exchange-rates", "20192adfcb6138d77176c19d9e285ebe6ebca2c9", "ODC-PDDL-1.0 (FRED upstream)",
        [("monthly.csv", "data/monthly.csv", "national currency per USD (per country)")]),
        ("us10y_monthly_datasets", "datasets/bond-yields-us-10y", "d7a459ca265d7c051de35c2617b9ebe33518a0f9", "ODC-PDDL-1.0 (Federal Reserve H.15 upstream)",
        [("monthly.csv", "data/monthly.csv", "percent")]),
        ("wasde_dates_dubilava", "dubilava/agmarkets_slides", "391ccee341ff856d1cb30be283765f0ba38ad6d7", "not stated",
        [("wasde_dates.csv", "data/wasde_dates.csv", "dates (yr, mo, day of month)")]),
        ("wasde_dates_josea", "josea12345/grain-market-dashboard", "8936c8cf90c271820bc654c619820fbf1961b5d5", "not stated (copied from a stored copy; history unavailable)",
        [("wasde_dates.csv", "data/wasde_dates.csv", "dates")]),
        ("soybean_daily_jensenjudkins", "JensenJudkins/soybean-forecast", "fe6232247ef334f5184360b12cac58614f1a8287", "not stated (macrotrends.net upstream)",
        [("soybean_prices.csv", "soybean_prices.csv", "USD/bu")]),
    ];

    /// <summary>The manifest entries from the provenance facts and the files' current hashes. A fact without
    /// a file, or a .csv under data/raw without a fact, is an error (the manifest must describe everything).</summary>
    /// <param name="rawDir">The raw data directory (data/raw).</param>
    /// <exception cref="RawDataException">A file named by the provenance facts is missing.</exception>
    /// <exception cref="InvalidDataException">A .csv under <paramref name="rawDir"/> has no provenance facts.</exception>
    public static IReadOnlyList<RawFile> FromProvenance(string rawDir)
    {
        var entries = new List<RawFile>();
        foreach (var (folder, repo, commit, licence, files) in Facts)
            foreach (var (file, repoPath, units) in files)
            {
                var rel = folder + "/" + file;
                entries.Add(new RawFile(rel, repo, commit, repoPath, licence, units, Sha256Of(rawDir, rel)));
            }
        var known = entries.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var extra = Directory.EnumerateFiles(rawDir, "*.csv", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(rawDir, f).Replace('\\', '/')).Where(f => !known.Contains(f)).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"data/raw holds files without provenance facts: {string.Join(", ", extra)}.");
        return entries;
    }

    /// <summary>Regenerates data/raw/MANIFEST.tsv (atomically) from <see cref="FromProvenance"/>.</summary>
    /// <param name="rawDir">The raw data directory; null = <see cref="Workbench.RawDir"/>.</param>
    /// <returns>The full path of the written manifest.</returns>
    /// <exception cref="RawDataException">A file named by the provenance facts is missing.</exception>
    /// <exception cref="InvalidDataException">A .csv under the raw directory has no provenance facts.</exception>
    public static string Write(string? rawDir = null)
    {
        rawDir ??= Workbench.RawDir;
        var sb = new StringBuilder();
        sb.Append(string.Join('\t', Columns)).Append('\n');
        foreach (var e in FromProvenance(rawDir))
            sb.Append(string.Join('\t', e.Path, e.Repo, e.Commit, e.RepoPath, e.Licence, e.Units, e.Sha256)).Append('\n');
        var path = Path.Combine(rawDir, FileName);
        AtomicFile.WriteAllText(path, sb.ToString());
        return path;
    }

    /// <summary>Reads the committed manifest (blank lines skipped).</summary>
    /// <param name="rawDir">The raw data directory; null = <see cref="Workbench.RawDir"/>.</param>
    /// <returns>The entries in file order.</returns>
    /// <exception cref="RawDataException">The manifest is missing, its header is not the expected one, or a line
    /// does not have 7 tab-separated fields.</exception>
    public static IReadOnlyList<RawFile> Read(string? rawDir = null)
    {
        rawDir ??= Workbench.RawDir;
        var path = Path.Combine(rawDir, FileName);
        var name = "data/raw/" + FileName;
        if (!File.Exists(path)) throw new RawDataException(name, 0, null, "manifest is missing; run `cbi manifest --write`.");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != string.Join('\t', Columns))
            throw new RawDataException(name, 1, null, $"header must be: {string.Join(" ", Columns)}.");
        var list = new List<RawFile>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = lines[i].Split('\t');
            if (f.Length != Columns.Length) throw new RawDataException(name, i + 1, null, $"expected {Columns.Length} tab-separated fields, found {f.Length}.");
            list.Add(new RawFile(f[0], f[1], f[2], f[3], f[4], f[5], f[6], i + 1));
        }
        return list;
    }

    /// <summary>Checks that every manifest file exists and has its recorded SHA-256; throws naming the first
    /// missing or changed file. Returns the data version: SHA-256 of the manifest text.</summary>
    /// <param name="rawDir">The raw data directory; null = <see cref="Workbench.RawDir"/>.</param>
    /// <returns>The data version (<see cref="DataVersion"/>), lower-case hex.</returns>
    /// <exception cref="RawDataException">The manifest is missing or malformed, or a listed file is missing or its
    /// SHA-256 differs.</exception>
    public static string Verify(string? rawDir = null)
    {
        rawDir ??= Workbench.RawDir;
        const string manifest = "data/raw/" + FileName;
        var entries = Read(rawDir);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (seen.TryGetValue(e.Path, out var first))
                throw new RawDataException(manifest, e.Line, "path", $"data/raw/{e.Path} is listed twice (also on line {first}).");
            seen[e.Path] = e.Line;
            var full = Path.Combine(rawDir, e.Path);
            if (!File.Exists(full)) throw new RawDataException(manifest, e.Line, "path", $"data/raw/{e.Path} is listed but missing.");
            var h = Sha256Of(rawDir, e.Path);
            if (!string.Equals(h, e.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new RawDataException(manifest, e.Line, "sha256",
                    $"data/raw/{e.Path} has SHA-256 {h}, the manifest says {e.Sha256}. Raw files are never edited; restore the file from its source commit.");
        }
        // The manifest is the set of files: a file on disk that it does not list (its row deleted, or a file added) is
        // an error too, so the hash check cannot be bypassed by removing a row.
        foreach (var file in Directory.EnumerateFiles(rawDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(rawDir, file).Replace('\\', '/');
            if (rel is FileName or "PROVENANCE.md") continue;
            if (!seen.ContainsKey(rel))
                throw new RawDataException("data/raw/" + rel, 0, null, $"raw file is not listed in {FileName}: every raw file needs its provenance and SHA-256 (`cbi manifest --write` after checking it).");
        }
        return DataVersion(rawDir);
    }

    /// <summary>SHA-256 of MANIFEST.tsv: changes exactly when any raw file or its provenance changes.</summary>
    /// <param name="rawDir">The raw data directory; null = <see cref="Workbench.RawDir"/>.</param>
    /// <returns>Lower-case hex SHA-256 of the manifest's bytes.</returns>
    /// <exception cref="FileNotFoundException">The manifest does not exist.</exception>
    public static string DataVersion(string? rawDir = null) =>
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(rawDir ?? Workbench.RawDir, FileName))));

    internal static string Sha256Of(string rawDir, string rel)
    {
        var full = Path.Combine(rawDir, rel);
        if (!File.Exists(full)) throw new RawDataException("data/raw/" + rel, 0, null, "raw file is missing.");
        using var s = File.OpenRead(full);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
