using DuckDB.NET.Data;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>Read-only SQL against the warehouse, printed as tab-separated text (for quick inspection): exactly one
/// query (SELECT, WITH … SELECT, VALUES, FROM-first), on a read-only connection that cannot touch other files.</summary>
internal sealed class SqlCommand : ICliCommand
{
    public string Name => "sql";
    public string Usage => "sql \"SELECT …\" [--db PATH]                 run one read-only query on the warehouse, print TSV";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("db");
        if (a.Positional.Count != 1) throw new ArgumentException("give exactly one SQL statement.");
        var sql = a.Positional[0];
        if (string.IsNullOrWhiteSpace(sql)) throw new ArgumentException("the SQL statement is empty; e.g. cbi sql \"SELECT * FROM quality_report LIMIT 5\".");
        var path = a.Get("db") ?? Workbench.WarehousePath;
        if (!File.Exists(path)) throw new FileNotFoundException($"no warehouse at {Workbench.Relative(path)}; run `cbi warehouse`.");
        using var db = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        db.Open();
        // Read-only means the file system too: no COPY … TO, no reading or writing other files.
        Cbi.Workbench.Data.WarehouseSql.Exec(db, Cbi.Workbench.Data.WarehouseSql.LockDown);
        Cbi.Workbench.Data.WarehouseSql.CheckOneQuery(db, sql);
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        Console.WriteLine(string.Join('\t', Enumerable.Range(0, r.FieldCount).Select(r.GetName)));
        while (r.Read())
            Console.WriteLine(string.Join('\t', Enumerable.Range(0, r.FieldCount).Select(i => Text(r, i))));
        return 0;
    }

    /// <summary>Culture-invariant text with ISO dates and timestamps.</summary>
    static string Text(System.Data.Common.DbDataReader r, int i)
    {
        if (r.IsDBNull(i)) return "NULL";
        return r.GetValue(i) switch
        {
            DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
                : t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture),
            double x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
    }
}
