using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace Cbi.Workbench.Tests.Data.BigQuery;

/// <summary>A loopback BigQuery whose "dataset" is a scratch copy of the real warehouse in DuckDB: it answers
/// jobs.query / jobs.getQueryResults (paging by maxResults and pageToken), resumable Parquet load jobs, copy jobs,
/// jobs.get, tables.delete and tabledata.insertAll with the documented response shapes
/// (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query, …/jobs/getQueryResults, …/jobs#Job,
/// …/tabledata/insertAll, https://cloud.google.com/bigquery/docs/reference/api-uploads). It executes the statements
/// it receives in DuckDB, translating only BigQuery type names (INT64, FLOAT64, BOOL) — so the workbench's own SQL must
/// be portable for these tests to pass.</summary>
internal sealed class DuckDbBackedBigQuery : IDisposable
{
    readonly DuckDBConnection db;
    readonly string dir;
    readonly Dictionary<string, (JsonNode Fields, List<JsonNode> Rows)> results = new();
    readonly Dictionary<string, JsonNode> sessions = new();
    readonly Dictionary<string, JsonNode> jobs = new();
    public LoopbackServer Server { get; }
    /// <summary>A load job into a table whose id starts with this fails with an errorResult (set by a test).</summary>
    public string? FailLoadOf { get; set; }
    public List<string> Statements { get; } = [];

    public DuckDbBackedBigQuery(string warehouse)
    {
        dir = Directory.CreateTempSubdirectory("cbi-fakebq-").FullName;
        var copy = Path.Combine(dir, "dataset.duckdb");
        File.Copy(warehouse, copy);
        db = new DuckDBConnection($"DataSource={copy}");
        db.Open();
        Server = new LoopbackServer(Handle);
    }

    public object? Scalar(string sql)
    {
        lock (db)
        {
            using var c = db.CreateCommand();
            c.CommandText = sql;
            return c.ExecuteScalar();
        }
    }

    Answer Handle(SeenRequest r)
    {
        lock (db)
        {
            var m = Regex.Match(r.Path, "^/bigquery/v2/projects/([^/]+)/(.*)$");
            if (r.Method == "POST" && r.Path.StartsWith("/upload/bigquery/v2/projects/") && r.QueryValue("uploadType") == "resumable")
            {
                var id = Guid.NewGuid().ToString("N");
                sessions[id] = r.Json!;
                return new Answer(200, "", new Dictionary<string, string> { ["Location"] = $"{Server.BaseUrl}/upload/session?upload_id={id}" });
            }
            if (r.Method == "PUT" && r.Path == "/upload/session") return Load(sessions[r.QueryValue("upload_id")!], r.Body);
            if (!m.Success) return new Answer(404, Error(404, "notFound", r.Path, "no such endpoint"));
            var rest = m.Groups[2].Value;
            if (r.Method == "POST" && rest == "queries") return Query(r.Json!);
            if (r.Method == "GET" && rest.StartsWith("queries/")) return Page(rest["queries/".Length..], r.QueryValue("pageToken"), int.Parse(r.QueryValue("maxResults") ?? "1000"));
            if (r.Method == "POST" && rest == "jobs") return Copy(r.Json!);
            if (r.Method == "GET" && rest.StartsWith("jobs/")) return Answer.Json(jobs[rest["jobs/".Length..]]);
            var t = Regex.Match(rest, "^datasets/([^/]+)/tables/([^/]+)(/insertAll)?$");
            if (t.Success && r.Method == "DELETE") { Exec($"DROP TABLE IF EXISTS {t.Groups[2].Value}"); return new Answer(204, ""); }
            if (t.Success && r.Method == "POST" && t.Groups[3].Success) return InsertAll(t.Groups[2].Value, r.Json!);
            return new Answer(404, Error(404, "notFound", rest, "no such endpoint"));
        }
    }

    static string Error(int code, string reason, string location, string message) => new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = code, ["message"] = message, ["status"] = code == 404 ? "NOT_FOUND" : "INVALID_ARGUMENT",
            ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = reason, ["location"] = location }),
        },
    }.ToJsonString();

    void Exec(string sql)
    {
        Statements.Add(sql);
        using var c = db.CreateCommand();
        c.CommandText = Regex.Replace(Regex.Replace(Regex.Replace(sql, @"\bINT64\b", "BIGINT"), @"\bFLOAT64\b", "DOUBLE"), @"\bBOOL\b", "BOOLEAN");
        c.ExecuteNonQuery();
    }

    Answer Query(JsonNode body)
    {
        var sql = body["query"]!.GetValue<string>();
        var jobId = "job_" + Guid.NewGuid().ToString("N");
        var reference = new JsonObject { ["projectId"] = "p", ["jobId"] = jobId, ["location"] = "US" };
        if (!sql.TrimStart().StartsWith("SELECT", StringComparison.Ordinal))
        {
            try { Exec(sql); }
            catch (DuckDBException e) { return new Answer(400, Error(400, "invalidQuery", "query", e.Message)); }
            return Answer.Json(new JsonObject { ["kind"] = "bigquery#queryResponse", ["jobReference"] = reference, ["jobComplete"] = true });
        }
        Statements.Add(sql);
        var fields = new JsonArray();
        var rows = new List<JsonNode>();
        try
        {
            using var c = db.CreateCommand();
            c.CommandText = sql;
            using var rd = c.ExecuteReader();
            for (var i = 0; i < rd.FieldCount; i++)
                fields.Add(new JsonObject { ["name"] = rd.GetName(i), ["type"] = Type(rd.GetDataTypeName(i)), ["mode"] = "NULLABLE" });
            while (rd.Read())
                rows.Add(new JsonObject { ["f"] = new JsonArray(Enumerable.Range(0, rd.FieldCount).Select(i => (JsonNode)new JsonObject { ["v"] = Cell(rd, i) }).ToArray()) });
        }
        catch (DuckDBException e) { return new Answer(400, Error(400, "invalidQuery", "query", e.Message)); }
        results[jobId] = (fields, rows);
        return Page(jobId, null, body["maxResults"]?.GetValue<int>() ?? 1000);
    }

    static string Type(string duck) => duck.ToUpperInvariant() switch
    {
        "VARCHAR" => "STRING",
        "DATE" => "DATE",
        "DOUBLE" => "FLOAT",
        "INTEGER" or "BIGINT" or "HUGEINT" => "INTEGER",
        "BOOLEAN" => "BOOLEAN",
        "TIMESTAMP" => "TIMESTAMP",
        var t => throw new NotSupportedException(t),
    };

    static string? Cell(DuckDBDataReader rd, int i)
    {
        if (rd.IsDBNull(i)) return null;
        return rd.GetValue(i) switch
        {
            string s => s,
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t when rd.GetDataTypeName(i).Equals("DATE", StringComparison.OrdinalIgnoreCase) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t => ((t.Ticks - DateTime.UnixEpoch.Ticks) / 10).ToString(CultureInfo.InvariantCulture),
            double x => x.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            var v => Convert.ToString(v, CultureInfo.InvariantCulture),
        };
    }

    Answer Page(string jobId, string? token, int max)
    {
        var (fields, rows) = results[jobId];
        var start = token is null ? 0 : int.Parse(token["page-".Length..]);
        var page = new JsonObject
        {
            ["kind"] = "bigquery#getQueryResultsResponse",
            ["jobReference"] = new JsonObject { ["projectId"] = "p", ["jobId"] = jobId, ["location"] = "US" },
            ["schema"] = new JsonObject { ["fields"] = fields.DeepClone() },
            ["totalRows"] = rows.Count.ToString(CultureInfo.InvariantCulture),
            ["jobComplete"] = true,
            ["rows"] = new JsonArray(rows.Skip(start).Take(max).Select(x => x.DeepClone()).ToArray()),
        };
        if (start + max < rows.Count) page["pageToken"] = $"page-{start + max}";
        return Answer.Json(page);
    }

    Answer Load(JsonNode job, byte[] parquet)
    {
        var load = job["configuration"]!["load"]!;
        var table = load["destinationTable"]!["tableId"]!.GetValue<string>();
        var jobId = job["jobReference"]!["jobId"]!.GetValue<string>();
        JsonObject status;
        if (FailLoadOf != null && table.StartsWith(FailLoadOf, StringComparison.Ordinal))
            status = new JsonObject
            {
                ["state"] = "DONE",
                ["errorResult"] = new JsonObject { ["reason"] = "invalid", ["location"] = $"{table}.parquet", ["message"] = "Error while reading data, error message: Parquet column has an unsupported type" },
                ["errors"] = new JsonArray(new JsonObject { ["reason"] = "invalid", ["message"] = "Error while reading data" }),
            };
        else
        {
            var file = Path.Combine(dir, table + ".parquet");
            File.WriteAllBytes(file, parquet);
            Exec($"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet('{file}')");
            status = new JsonObject { ["state"] = "DONE" };
        }
        // The upload's answer is the Job in state RUNNING; jobs.get then reports DONE (the client must poll).
        jobs[jobId] = new JsonObject { ["kind"] = "bigquery#job", ["jobReference"] = job["jobReference"]!.DeepClone(), ["status"] = status };
        return Answer.Json(new JsonObject { ["kind"] = "bigquery#job", ["jobReference"] = job["jobReference"]!.DeepClone(), ["status"] = new JsonObject { ["state"] = "RUNNING" } });
    }

    Answer Copy(JsonNode job)
    {
        var copy = job["configuration"]!["copy"]!;
        var src = copy["sourceTable"]!["tableId"]!.GetValue<string>();
        var dst = copy["destinationTable"]!["tableId"]!.GetValue<string>();
        Exec($"CREATE OR REPLACE TABLE {dst} AS SELECT * FROM {src}");
        var done = new JsonObject { ["kind"] = "bigquery#job", ["jobReference"] = job["jobReference"]!.DeepClone(), ["status"] = new JsonObject { ["state"] = "DONE" } };
        jobs[job["jobReference"]!["jobId"]!.GetValue<string>()] = done;
        return Answer.Json(done.DeepClone());
    }

    Answer InsertAll(string table, JsonNode body)
    {
        foreach (var row in (JsonArray)body["rows"]!)
        {
            var json = (JsonObject)row!["json"]!;
            var cols = string.Join(", ", json.Select(p => p.Key));
            var values = string.Join(", ", json.Select(p => p.Value is null ? "NULL" : p.Value.GetValueKind() == System.Text.Json.JsonValueKind.String
                ? $"'{p.Value.GetValue<string>().Replace("'", "''")}'" : p.Value.ToJsonString()));
            Exec($"INSERT INTO {table} ({cols}) VALUES ({values})");
        }
        return Answer.Json(new JsonObject { ["kind"] = "bigquery#tableDataInsertAllResponse" });
    }

    public void Dispose()
    {
        Server.Dispose();
        db.Dispose();
        Directory.Delete(dir, recursive: true);
    }
}
