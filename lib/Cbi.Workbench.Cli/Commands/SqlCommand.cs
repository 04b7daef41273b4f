using DuckDB.NET.Data;

namespace Cbi.Workbench.Cli.Commands;

/// <summary>Read-only SQL against the warehouse, printed as tab-separated text (for quick inspection).</summary>
internal sealed class SqlCommand : ICliCommand
{
    public string Name => "sql";
    public string Usage => "sql \"SELECT …\" [--db PATH]                 run a read-only query on the warehouse, print TSV";

    public int Run(string[] args)
    {
        var a = new CliArgs(args);
        a.RejectUnknown("db");
        if (a.Positional.Count != 1) throw new ArgumentException("give exactly one SQL statement.");
        var path = a.Get("db") ?? Workbench.WarehousePath;
        if (!File.Exists(path)) throw new FileNotFoundException($"no warehouse at {path}; run `cbi warehouse`.");
        using var db = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = a.Positional[0];
        using var r = cmd.ExecuteReader();
        Console.WriteLine(string.Join('\t', Enumerable.Range(0, r.FieldCount).Select(r.GetName)));
        while (r.Read())
            Console.WriteLine(string.Join('\t', Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "NULL" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return 0;
    }
}
