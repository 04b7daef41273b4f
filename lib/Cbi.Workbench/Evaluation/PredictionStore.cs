using Cbi.Workbench.IO;
using Cbi.Workbench.Models;
using Cbi.Workbench.Reporting;
using Cbi.Workbench.Data;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Evaluation;

/// <summary>The long prediction table: artifacts/&lt;profile&gt;/predictions.parquet, with exactly the contract
/// columns, and its mirror in the warehouse table <c>predictions</c>, shared by all profiles, whose rows carry the
/// profile too (<see cref="WarehouseColumns"/>). A write replaces exactly the keys it carries — (model, horizon, split,
/// origin date), and in the warehouse the profile — and keeps every other row, so a narrow run (one model, one horizon)
/// never deletes what it did not compute, each notebook adds its own models to the same table, and the smoke and full
/// rows of one key both stay in the warehouse. The warehouse table survives warehouse rebuilds
/// (<see cref="Data.Warehouse.Build"/> carries it over).
/// <para>The Parquet table is the truth; the warehouse's rows of a profile are its copy. A write commits the warehouse
/// before it renames the new Parquet file into place, so a writer killed between the two leaves the warehouse ahead
/// (and <c>--no-warehouse</c> leaves it behind): every write that includes the warehouse first compares the profile's
/// warehouse rows with the Parquet table, and where they differ replaces them from the Parquet table and says so
/// (<see cref="Reconcile(string?, string?)"/>), in the same transaction as its own rows.</para></summary>
public static class PredictionStore
{
    /// <summary>The contract columns with their SQL types, in order.</summary>
    public const string Columns =
        "model VARCHAR, horizon INTEGER, origin_date DATE, target_date DATE, y DOUBLE, q10 DOUBLE, q50 DOUBLE, q90 DOUBLE, fold INTEGER, split VARCHAR";

    /// <summary>The warehouse table's columns: the profile the rows belong to (the name of the folder of their Parquet
    /// table, <see cref="ProfileOf"/>), then <see cref="Columns"/>. Key: (profile, model, horizon, split, origin_date).</summary>
    internal const string WarehouseColumns = "profile VARCHAR, " + Columns;

    const string ColumnNames = WarehouseSql.PredictionColumnNames;

    /// <summary>artifacts/&lt;active profile&gt;/predictions.parquet.</summary>
    public static string DefaultParquetPath => Path.Combine(Workbench.ProfileDir, "predictions.parquet");

    /// <summary>Tests only: runs in a write after the warehouse commit and before the Parquet rename (its argument is the
    /// Parquet path), the one point where a killed writer leaves the two stores apart.</summary>
    internal static Action<string>? BetweenCommitAndRename;

    /// <summary>The profile a Parquet prediction table belongs to in the warehouse: the name of the folder that holds it
    /// (artifacts/&lt;profile&gt;/predictions.parquet). Derived from the path rather than passed beside it, so the
    /// warehouse rows of a profile can only ever mirror the one Parquet file they are repaired from.</summary>
    /// <exception cref="ArgumentException">the path has no parent folder.</exception>
    internal static string ProfileOf(string parquetPath)
    {
        var profile = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(parquetPath)));
        return string.IsNullOrEmpty(profile)
            ? throw new ArgumentException($"{parquetPath}: a prediction table written beside the warehouse must lie in its profile's folder (artifacts/<profile>/predictions.parquet).", nameof(parquetPath))
            : profile;
    }

    /// <summary>Writes rows to the Parquet table, replacing exactly the keys they carry — (model, horizon, split,
    /// origin date) — and keeping every other row (other models, other horizons, other origins). Atomic: a temporary
    /// file renamed over the old one. The warehouse is not touched; its copy of the profile catches up at the next
    /// write that includes it.</summary>
    /// <param name="rows">Non-empty; quantiles ordered; split <c>validation</c> or <c>holdout</c>.</param>
    /// <param name="path">Default <see cref="DefaultParquetPath"/>.</param>
    /// <exception cref="ArgumentException">empty rows, a bad split, crossing quantiles, or a key twice.</exception>
    /// <exception cref="InvalidDataException">the existing table cannot be read (named; nothing is written).</exception>
    /// <exception cref="IOException">another writer still holds the table after 10 minutes (nothing is written).</exception>
    public static void WriteParquet(IReadOnlyCollection<PredictionRow> rows, string? path = null) => Write(rows, path, warehousePath: null);

    /// <summary>Writes rows to the warehouse table <c>predictions</c> only, as <paramref name="profile"/>'s (one
    /// transaction), replacing exactly their keys: the DuckDB side of <see cref="Data.IWarehouseBackend"/>. The Parquet
    /// table stays the truth, so the next <see cref="Write(IReadOnlyCollection{PredictionRow}, string?, string?)"/> of that
    /// profile puts the warehouse back to what its Parquet table holds; runs write both with that method.</summary>
    /// <exception cref="FileNotFoundException">no warehouse (it is built by <c>cbi warehouse</c>, never here).</exception>
    internal static void WriteWarehouse(IReadOnlyCollection<PredictionRow> rows, string profile, string? warehousePath = null)
    {
        Validate(rows);
        var path = Path.GetFullPath(warehousePath ?? Workbench.WarehousePath);
        using var whGate = StoreLock.Acquire(path);
        using var wh = OpenWarehouse(path);
        using var tx = wh.BeginTransaction();
        PrepareWarehouseTable(wh);
        Replace(wh, "predictions", profile, rows);
        tx.Commit();
        Log.Progress($"[predictions] {rows.Count} rows of {Models(rows)} written to {Workbench.Relative(wh.DataSource)} (table predictions, profile {profile})");
    }

    /// <summary>Writes rows to both stores, the Parquet table and the warehouse table (as the profile of
    /// <see cref="ProfileOf"/> the Parquet path), so that they never disagree for long: the warehouse is opened (and
    /// locked) before anything is written, its rows of the profile are first repaired from the Parquet table where they
    /// differ (see the class summary), its transaction commits only after the new Parquet file is complete, and the
    /// Parquet file is renamed into place only after the commit. Keys as in <see cref="WriteParquet"/>. Concurrent
    /// writers of the same Parquet table (other processes, other threads) take turns under a file lock and each merges
    /// into the latest version, so none loses another's rows; writers of different profiles take turns on the shared
    /// warehouse the same way; a writer waits up to 10 minutes for each.</summary>
    /// <param name="rows">As <see cref="WriteParquet"/>.</param>
    /// <param name="path">The Parquet table; default <see cref="DefaultParquetPath"/>.</param>
    /// <param name="warehousePath">The warehouse; "" = <see cref="Workbench.WarehousePath"/>; null = the Parquet table only.</param>
    /// <exception cref="IOException">another writer still holds the table or the warehouse after the wait (nothing is written).</exception>
    /// <exception cref="InvalidDataException">the existing Parquet table cannot be read (named; nothing is written).</exception>
    /// <exception cref="FileNotFoundException">no warehouse.</exception>
    /// <exception cref="DuckDB.NET.Data.DuckDBException">the warehouse is held by a process that does not take the store
    /// lock, e.g. an open <c>cbi sql</c> or notebook connection (nothing is written).</exception>
    public static void Write(IReadOnlyCollection<PredictionRow> rows, string? path = null, string? warehousePath = "") => Write(rows, [], path, warehousePath);

    /// <summary>As <see cref="Write(IReadOnlyCollection{PredictionRow}, string?, string?)"/>, and the rows of the
    /// <paramref name="withdrawn"/> keys (origins at which the model now abstains) are deleted from both stores, so a row
    /// an earlier run wrote there is not kept beside the abstention that replaced it.</summary>
    static void Write(IReadOnlyCollection<PredictionRow> rows, IReadOnlyCollection<Abstention> withdrawn, string? path, string? warehousePath)
    {
        path = Path.GetFullPath(path ?? DefaultParquetPath);
        if (rows.Count > 0 || withdrawn.Count == 0) Validate(rows);
        var whPath = warehousePath is null ? null : Path.GetFullPath(warehousePath.Length == 0 ? Workbench.WarehousePath : warehousePath);
        var profile = whPath is null ? null : ProfileOf(path);
        // Writers of one Parquet table take turns: each reads, merges and replaces it under the lock (no lost update).
        using var gate = StoreLock.Acquire(path);
        // Writers of every profile share the warehouse, whose file DuckDB lets one process open for writing: they take
        // turns on it too rather than fail. Always after the Parquet table's lock: no two writers can each hold what the other waits for.
        using var whGate = whPath is null ? null : StoreLock.Acquire(whPath);
        using var wh = whPath is null ? null : OpenWarehouse(whPath);
        using var tx = wh?.BeginTransaction();
        if (wh != null)
        {
            PrepareWarehouseTable(wh);
            Reconcile(wh, profile!, path);
            Replace(wh, "predictions", profile, rows, withdrawn);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = AtomicFile.TempPath(path);
        try
        {
            using (var con = Open("DataSource=:memory:"))
            {
                Exec(con, WarehouseSql.CreateTable("p", Columns));
                if (File.Exists(path))
                {
                    try { Exec(con, WarehouseSql.InsertFromParquet("p", ColumnNames, path)); }
                    catch (DuckDBException e) { throw Unreadable(path, e); }
                }
                Replace(con, "p", null, rows, withdrawn);
                Exec(con, WarehouseSql.CopyToParquet(WarehouseSql.OrderedRows("p", "model, horizon, origin_date, split"), tmp, "parquet"));
            }
            tx?.Commit();
            BetweenCommitAndRename?.Invoke(path);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
        Log.Progress($"[predictions] {rows.Count} rows of {Models(rows)} written to {Workbench.Relative(path)}" + (wh is null ? "" : $" and the warehouse (profile {profile})") +
                     (withdrawn.Count > 0 ? $"; rows at {withdrawn.Count} origins where the model abstained removed" : ""));
    }

    /// <summary>Makes the warehouse's rows of the Parquet table's profile (<see cref="ProfileOf"/>) equal to the Parquet
    /// table, the truth, where they differ, and says so in a log line; an absent Parquet table counts as empty. Writes
    /// do this themselves; it is for a command that writes no predictions but should leave the stores agreeing
    /// (<c>cbi warehouse</c>, after a rebuild that migrated a table without profiles).</summary>
    /// <param name="path">The Parquet table; default <see cref="DefaultParquetPath"/>.</param>
    /// <param name="warehousePath">The warehouse; default <see cref="Workbench.WarehousePath"/>.</param>
    /// <returns>How many rows differed (0: nothing was changed).</returns>
    /// <exception cref="FileNotFoundException">no warehouse.</exception>
    /// <exception cref="InvalidDataException">the Parquet table cannot be read (named; nothing is changed).</exception>
    /// <exception cref="IOException">another writer still holds the table or the warehouse after 10 minutes.</exception>
    internal static long Reconcile(string? path = null, string? warehousePath = null)
    {
        path = Path.GetFullPath(path ?? DefaultParquetPath);
        var whPath = Path.GetFullPath(warehousePath ?? Workbench.WarehousePath);
        var profile = ProfileOf(path);
        using var gate = StoreLock.Acquire(path);
        using var whGate = StoreLock.Acquire(whPath);
        using var wh = OpenWarehouse(whPath);
        using var tx = wh.BeginTransaction();
        PrepareWarehouseTable(wh);
        var n = Reconcile(wh, profile, path);
        tx.Commit();
        return n;
    }

    /// <summary>See <see cref="Reconcile(string?, string?)"/>; inside the caller's transaction and locks.</summary>
    static long Reconcile(DuckDBConnection wh, string profile, string path)
    {
        var exists = File.Exists(path);
        long differ;
        try
        {
            // The cheap fingerprint first: on every write the stores normally agree.
            if (exists && WarehouseSql.Scalar(wh, WarehouseSql.ProfileRowsMatch(profile, path)) is true) return 0;
            differ = Convert.ToInt64(WarehouseSql.Scalar(wh, exists ? WarehouseSql.ProfileRowsDiffer(profile, path) : WarehouseSql.CountProfileRows(profile)));
        }
        catch (DuckDBException e) when (exists) { throw Unreadable(path, e); }
        if (differ == 0) return 0;
        Exec(wh, WarehouseSql.DeleteProfileRows(profile));
        if (exists) Exec(wh, WarehouseSql.InsertProfileFromParquet(profile, path));
        // A kill between the warehouse commit and the Parquet rename leaves the warehouse ahead; --no-warehouse leaves it behind.
        Log.Progress($"[predictions] repaired the warehouse's predictions of profile {profile} from {Workbench.Relative(path)}" +
                     (exists ? "" : " (absent: no rows)") + $" ({differ} rows differed; the Parquet table is the truth)");
        return differ;
    }

    static InvalidDataException Unreadable(string path, DuckDBException e) =>
        new($"{Workbench.Relative(path)}: cannot be read as a prediction table ({e.Message.Split('\n')[0]}); nothing was written.", e);

    /// <summary>Creates the warehouse table, or migrates one without the profile column (see
    /// <see cref="MigrateWarehouseTable"/>).</summary>
    static void PrepareWarehouseTable(DuckDBConnection wh)
    {
        MigrateWarehouseTable(wh, Log.Progress);
        Exec(wh, WarehouseSql.CreateTableIfMissing("predictions", WarehouseColumns));
    }

    /// <summary>A warehouse table <c>predictions</c> from before the profile column (smoke and full rows with the same key
    /// overwrote each other there, so no row's profile can be known) is dropped and recreated with the column, and
    /// <paramref name="say"/> is told how many rows went; each profile's rows come back from its Parquet table, the truth,
    /// at its next write or <see cref="Reconcile(string?, string?)"/>. Nothing happens to a table with the column or to
    /// a database without the table.</summary>
    internal static void MigrateWarehouseTable(DuckDBConnection wh, Action<string> say)
    {
        if (Convert.ToInt64(WarehouseSql.Scalar(wh, WarehouseSql.TableExists("predictions"))) == 0) return;
        if (Convert.ToInt64(WarehouseSql.Scalar(wh, WarehouseSql.ColumnExists("predictions", "profile"))) > 0) return;
        var n = Convert.ToInt64(WarehouseSql.Scalar(wh, WarehouseSql.CountRows("predictions")));
        Exec(wh, WarehouseSql.DropTable("predictions"));
        Exec(wh, WarehouseSql.CreateTable("predictions", WarehouseColumns));
        say($"[predictions] the warehouse table predictions had no profile column (smoke and full rows with the same key overwrote each other there): " +
            $"its {n} rows, whose profile cannot be known, were dropped; each profile's rows are restored from its artifacts/<profile>/predictions.parquet " +
            "(the truth) at its next write or `cbi warehouse`");
    }

    /// <summary>A backtest's rows (as <see cref="Write(IReadOnlyCollection{PredictionRow}, string?, string?)"/>) and its
    /// abstentions: the origins where a model declined to forecast under its missing-input rule, with the reason, in
    /// artifacts/&lt;profile&gt;/abstentions.parquet (columns model, horizon, origin_date, split, fold, reason; a write
    /// replaces exactly the (model, horizon, split, origin_date) keys it carries). The prediction table's own columns
    /// stay the contract's; the abstentions are its companion, so no origin is silently missing.</summary>
    public static void Write(BacktestResult run, string? path = null, string? warehousePath = "")
    {
        if (run.Rows.Count > 0 || run.Abstentions.Count > 0) Write(run.Rows, run.Abstentions, path, warehousePath);
        WriteAbstentions(run.Abstentions, path is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "abstentions.parquet"));
    }

    /// <summary>artifacts/&lt;active profile&gt;/abstentions.parquet.</summary>
    public static string DefaultAbstentionsPath => Path.Combine(Workbench.ProfileDir, "abstentions.parquet");

    /// <summary>Writes abstentions (see <see cref="Write(BacktestResult, string?, string?)"/>); nothing when there are none.</summary>
    public static void WriteAbstentions(IReadOnlyCollection<Abstention> abstentions, string? path = null)
    {
        if (abstentions.Count == 0) return;
        path = Path.GetFullPath(path ?? DefaultAbstentionsPath);
        const string cols = "model VARCHAR, horizon INTEGER, origin_date DATE, split VARCHAR, fold INTEGER, reason VARCHAR";
        using var gate = StoreLock.Acquire(path);
        AtomicFile.Write(path, tmp =>
        {
            using var con = Open("DataSource=:memory:");
            Exec(con, WarehouseSql.CreateTable("a", cols));
            Exec(con, WarehouseSql.CreateTable("n", cols));
            if (File.Exists(path)) Exec(con, WarehouseSql.InsertFromParquet("a", "model, horizon, origin_date, split, fold, reason", path));
            using (var app = con.CreateAppender("n"))
                foreach (var x in abstentions)
                    app.CreateRow().AppendValue(x.Model).AppendValue(x.Horizon).AppendValue((DateOnly?)x.Origin).AppendValue(x.Split).AppendValue(x.Fold).AppendValue(x.Reason).EndRow();
            Exec(con, WarehouseSql.DeleteReplacedKeys("a", "n"));
            Exec(con, WarehouseSql.InsertAllFrom("a", "n"));
            Exec(con, WarehouseSql.CopyToParquet(WarehouseSql.OrderedRows("a", "model, horizon, split, origin_date"), tmp, "parquet"));
        });
        Log.Progress($"[predictions] {abstentions.Count} abstentions of {string.Join(", ", abstentions.Select(a => a.Model).Distinct())} recorded in {Workbench.Relative(path)}");
    }

    static string Models(IEnumerable<PredictionRow> rows) => string.Join(", ", rows.Select(r => r.Model).Distinct());

    static DuckDBConnection OpenWarehouse(string warehousePath)
    {
        warehousePath = Path.GetFullPath(warehousePath);
        // Creating a warehouse here would leave a file without the data tables; it is built by `cbi warehouse`.
        if (!File.Exists(warehousePath))
            throw new FileNotFoundException($"no warehouse at {Workbench.Relative(warehousePath)}; build it with `cbi warehouse` first.", warehousePath);
        return Open($"DataSource={warehousePath}");
    }

    /// <summary>Deletes the rows whose key (model, horizon, split, origin_date; and <paramref name="profile"/> in the
    /// warehouse table, null in a Parquet table's scratch copy) the new rows carry, then appends them.</summary>
    static void Replace(DuckDBConnection con, string table, string? profile, IEnumerable<PredictionRow> rows, IReadOnlyCollection<Abstention>? withdrawn = null)
    {
        string Delete(string incoming) => profile is null ? WarehouseSql.DeleteReplacedKeys(table, incoming) : WarehouseSql.DeleteReplacedKeysOfProfile(table, incoming, profile);
        Exec(con, WarehouseSql.CreateTempTable("incoming", Columns));
        Append(con, "incoming", rows);
        Exec(con, Delete("incoming"));
        Exec(con, profile is null ? WarehouseSql.InsertAllFrom(table, "incoming") : WarehouseSql.InsertWithProfile(table, "incoming", profile));
        Exec(con, WarehouseSql.DropTable("incoming"));
        if (withdrawn is { Count: > 0 })
        {
            // Keys only: the same key columns as a row, the values unused.
            Exec(con, WarehouseSql.CreateTempTable("withdrawn", Columns));
            Append(con, "withdrawn", withdrawn.Select(a => new PredictionRow(a.Model, a.Horizon, a.Origin, a.Origin, double.NaN, 0, 0, 0, a.Fold, a.Split)));
            Exec(con, Delete("withdrawn"));
            Exec(con, WarehouseSql.DropTable("withdrawn"));
        }
    }

    /// <summary>Reads the Parquet table (all models, or the ones named).</summary>
    public static IReadOnlyList<PredictionRow> ReadParquet(string? path = null, params string[] models)
    {
        path = Path.GetFullPath(path ?? DefaultParquetPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"no prediction table at {path}.", path);
        using var con = Open("DataSource=:memory:");
        return WarehouseSql.Read(con, WarehouseSql.ReadPredictions(path, models), rd =>
            new PredictionRow(rd.GetString(0), rd.GetInt32(1), rd.GetFieldValue<DateOnly>(2), rd.GetFieldValue<DateOnly>(3),
                rd.GetDouble(4), rd.GetDouble(5), rd.GetDouble(6), rd.GetDouble(7), rd.GetInt32(8), rd.GetString(9)));
    }

    internal static void Validate(IReadOnlyCollection<PredictionRow> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("no prediction rows to write.", nameof(rows));
        var i = 0;
        foreach (var r in rows)
        {
            if (string.IsNullOrWhiteSpace(r.Model)) throw new ArgumentException($"prediction row {i}: empty model name.");
            if (r.Split is not ("validation" or "holdout" or Validation.Splits.HistorySplit)) throw new ArgumentException($"prediction row {i} ({r.Model}): split '{r.Split}' is not 'validation', 'holdout' or '{Validation.Splits.HistorySplit}'.");
            if (!(r.Q10 <= r.Q50 && r.Q50 <= r.Q90)) throw new ArgumentException($"prediction row {i} ({r.Model}, {r.OriginDate:yyyy-MM-dd}, h {r.Horizon}): quantiles cross.");
            i++;
        }
        var twice = rows.GroupBy(r => (r.Model, r.Horizon, r.Split, r.OriginDate)).FirstOrDefault(g => g.Count() > 1);
        if (twice != null)
            throw new ArgumentException($"prediction rows carry the key ({twice.Key.Model}, h {twice.Key.Horizon}, {twice.Key.Split}, {twice.Key.OriginDate:yyyy-MM-dd}) {twice.Count()} times.", nameof(rows));
    }

    static void Append(DuckDBConnection con, string table, IEnumerable<PredictionRow> rows)
    {
        using var app = con.CreateAppender(table);
        foreach (var r in rows)
            app.CreateRow().AppendValue(r.Model).AppendValue(r.Horizon).AppendValue(r.OriginDate).AppendValue(r.TargetDate)
                .AppendValue(r.Y).AppendValue(r.Q10).AppendValue(r.Q50).AppendValue(r.Q90).AppendValue(r.Fold).AppendValue(r.Split).EndRow();
    }

    static DuckDBConnection Open(string cs)
    {
        var con = new DuckDBConnection(cs);
        con.Open();
        return con;
    }

    static void Exec(DuckDBConnection con, string sql) => WarehouseSql.Exec(con, sql);
}
