using System.Text.Json.Nodes;
using Cbi.Workbench.Data.BigQuery;
using Cbi.Workbench.IO;

namespace Cbi.Workbench.Tests.Data.BigQuery;

/// <summary>The BigQuery REST client against a loopback server that answers with the documented shapes (the real
/// service is not reachable from this machine). Pure protocol: the JSON answers are constructed here, each after the
/// reference page named beside it.</summary>
public class BigQueryClientTests
{
    /// <summary>A token no log line or exception may ever show.</summary>
    internal const string Token = "ya29.c.TEST-ACCESS-TOKEN-must-never-appear-0123456789";

    internal static BigQueryClient Client(string baseUrl, int attempts = 4) =>
        new("cbi-test-project", "US", new FixedTokenSource(Token), baseUrl)
        { MaxAttempts = attempts, FirstDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(40), PageSize = 2 };

    static readonly JsonObject Schema = new()
    {
        ["fields"] = new JsonArray(
            new JsonObject { ["name"] = "date", ["type"] = "DATE", ["mode"] = "NULLABLE" },
            new JsonObject { ["name"] = "close", ["type"] = "FLOAT", ["mode"] = "NULLABLE" },
            new JsonObject { ["name"] = "symbol", ["type"] = "STRING", ["mode"] = "NULLABLE" },
            new JsonObject { ["name"] = "session_no", ["type"] = "INTEGER", ["mode"] = "NULLABLE" }),
    };

    static JsonObject Row(string? date, string? close, string? symbol, string? n) =>
        new() { ["f"] = new JsonArray(new JsonObject { ["v"] = date }, new JsonObject { ["v"] = close }, new JsonObject { ["v"] = symbol }, new JsonObject { ["v"] = n }) };

    static JsonObject Reference(string job) => new() { ["projectId"] = "cbi-test-project", ["jobId"] = job, ["location"] = "US" };

    // https://cloud.google.com/bigquery/docs/reference/rest/v2/ErrorProto inside Google's error envelope
    // (https://cloud.google.com/bigquery/docs/error-messages): {"error": {"code", "message", "errors": [{"message",
    // "domain", "reason", "location", "locationType"}], "status"}}.
    static Answer Error(int code, string reason, string message, string? location = null, string status = "INVALID_ARGUMENT") =>
        Answer.Json(new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code, ["message"] = message, ["status"] = status,
                ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = reason, ["location"] = location, ["locationType"] = location is null ? null : "other" }),
            },
        }, code);

    static void NoTokenIn(Exception e) => Assert.DoesNotContain(Token, e.ToString());

    [Fact]
    public async Task query_pages_through_every_page_token()
    {
        // jobs.query → QueryResponse (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query#response-body):
        // kind, schema, jobReference, totalRows (string), pageToken, rows [{f: [{v}]}], jobComplete.
        // jobs.getQueryResults (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/getQueryResults): same shape
        // for the next page, asked for with ?pageToken=…; the last page has no pageToken.
        using var server = new LoopbackServer(r =>
        {
            if (r.Method == "POST")
                return Answer.Json(new JsonObject
                {
                    ["kind"] = "bigquery#queryResponse", ["schema"] = Schema.DeepClone(), ["jobReference"] = Reference("job_paged"),
                    ["totalRows"] = "5", ["pageToken"] = "token-2", ["jobComplete"] = true,
                    ["rows"] = new JsonArray(Row("2012-01-10", "52.200001", "ZL", "3043"), Row("2012-01-11", "51.59", "ZL", "3044")),
                });
            return r.QueryValue("pageToken") switch
            {
                "token-2" => Answer.Json(new JsonObject
                {
                    ["kind"] = "bigquery#getQueryResultsResponse", ["schema"] = Schema.DeepClone(), ["jobReference"] = Reference("job_paged"),
                    ["totalRows"] = "5", ["pageToken"] = "token-3", ["jobComplete"] = true,
                    ["rows"] = new JsonArray(Row("2012-01-12", "51.9", "ZL", "3045"), Row("2012-01-13", null, "ZL", null)),
                }),
                "token-3" => Answer.Json(new JsonObject
                {
                    ["kind"] = "bigquery#getQueryResultsResponse", ["schema"] = Schema.DeepClone(), ["jobReference"] = Reference("job_paged"),
                    ["totalRows"] = "5", ["jobComplete"] = true, ["rows"] = new JsonArray(Row("2012-01-17", "52.33", "ZL", "3047")),
                }),
                var t => Error(400, "invalid", $"unexpected page token {t}"),
            };
        });
        using var client = Client(server.BaseUrl);
        var result = await client.QueryAsync("SELECT date, close, symbol, session_no FROM zl", "warehouse");

        Assert.Equal(3, result.Pages);
        Assert.Equal(5, result.Rows.Count);
        Assert.Equal(new DateOnly(2012, 1, 10), result.Rows[0][0]);
        Assert.Equal(51.59, result.Rows[1][1]);
        Assert.Equal(3045L, result.Rows[2][3]);
        Assert.Null(result.Rows[3][1]);
        Assert.Equal(["date", "close", "symbol", "session_no"], result.Fields.Select(f => f.Name));
        var seen = server.Requests.ToArray();
        Assert.Equal(3, seen.Length);
        Assert.Equal("/bigquery/v2/projects/cbi-test-project/queries", seen[0].Path);
        Assert.Equal("warehouse", seen[0].Json!["defaultDataset"]!["datasetId"]!.GetValue<string>());
        Assert.False(seen[0].Json!["useLegacySql"]!.GetValue<bool>());
        Assert.Equal("/bigquery/v2/projects/cbi-test-project/queries/job_paged", seen[1].Path);
        Assert.Equal(["token-2", "token-3"], seen[1..].Select(s => s.QueryValue("pageToken")));
        Assert.All(seen, s => Assert.Equal("Bearer " + Token, s.Authorization));
    }

    [Fact]
    public async Task an_unfinished_query_is_polled_with_growing_waits_until_job_complete()
    {
        // jobs.query may answer before the job ends: jobComplete false, a jobReference and no rows/schema
        // (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query#response-body); the client then calls
        // jobs.getQueryResults (…/jobs/getQueryResults) until jobComplete is true.
        var polls = 0;
        using var server = new LoopbackServer(r =>
        {
            if (r.Method == "POST")
                return Answer.Json(new JsonObject { ["kind"] = "bigquery#queryResponse", ["jobReference"] = Reference("job_slow"), ["jobComplete"] = false });
            if (++polls < 3)
                return Answer.Json(new JsonObject { ["kind"] = "bigquery#getQueryResultsResponse", ["jobReference"] = Reference("job_slow"), ["jobComplete"] = false });
            return Answer.Json(new JsonObject
            {
                ["kind"] = "bigquery#getQueryResultsResponse", ["schema"] = Schema.DeepClone(), ["jobReference"] = Reference("job_slow"),
                ["totalRows"] = "1", ["jobComplete"] = true, ["rows"] = new JsonArray(Row("2026-07-14", "71.63", "ZL", "6512")),
            });
        });
        using var client = Client(server.BaseUrl);
        var started = DateTime.UtcNow;
        var result = await client.QueryAsync("SELECT 1");

        Assert.Equal(3, client.Polls);
        Assert.Single(result.Rows);
        Assert.Equal("job_slow", result.JobId);
        // Waits of 5, 10 and 20 ms: back-off doubles between polls.
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(35));
        var gets = server.Requests.Where(s => s.Method == "GET").ToArray();
        Assert.Equal(3, gets.Length);
        Assert.All(gets, g => Assert.Equal("US", g.QueryValue("location")));
    }

    [Fact]
    public async Task rate_limits_and_unavailable_answers_are_retried_then_succeed()
    {
        // 429 rateLimitExceeded and 503 backendError are retryable
        // (https://cloud.google.com/bigquery/docs/error-messages#errortable); the third answer succeeds.
        var n = 0;
        using var server = new LoopbackServer(_ => ++n switch
        {
            1 => Error(429, "rateLimitExceeded", "Exceeded rate limits: too many api requests per user per method", status: "RESOURCE_EXHAUSTED"),
            2 => Error(503, "backendError", "Error encountered during execution. Retrying may solve the problem.", status: "UNAVAILABLE"),
            _ => Answer.Json(new JsonObject { ["kind"] = "bigquery#queryResponse", ["schema"] = Schema.DeepClone(), ["jobReference"] = Reference("job_ok"), ["totalRows"] = "0", ["jobComplete"] = true }),
        });
        using var client = Client(server.BaseUrl);
        var result = await client.QueryAsync("SELECT 1");

        Assert.Equal(2, client.Retries);
        Assert.Empty(result.Rows);
        Assert.Equal(3, server.Requests.Count);
        // The retried POST is the same query: one requestId for all three tries, so BigQuery runs it once.
        Assert.Single(server.Requests.Select(r => r.Json!["requestId"]!.GetValue<string>()).Distinct());
    }

    [Fact]
    public async Task retries_are_bounded_and_the_last_error_is_reported()
    {
        using var server = new LoopbackServer(_ => Error(503, "backendError", "Error encountered during execution.", status: "UNAVAILABLE"));
        using var client = Client(server.BaseUrl, attempts: 3);
        var e = await Assert.ThrowsAsync<BigQueryException>(() => client.QueryAsync("SELECT 1"));

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(2, client.Retries);
        Assert.Equal(503, e.StatusCode);
        Assert.Equal("backendError", e.Reason);
        Assert.Contains("after 3 attempts", e.Message);
    }

    [Fact]
    public async Task an_invalid_query_fails_at_once_naming_the_statement_reason_and_location()
    {
        // A 400 with reason invalidQuery and a location (https://cloud.google.com/bigquery/docs/error-messages): not retried.
        using var server = new LoopbackServer(_ => Error(400, "invalidQuery", "Unrecognized name: closee at [1:8]", location: "query"));
        using var client = Client(server.BaseUrl);
        var e = await Assert.ThrowsAsync<BigQueryException>(() => client.QueryAsync("SELECT closee FROM zl_daily"));

        Assert.Single(server.Requests);
        Assert.Equal("invalidQuery", e.Reason);
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("SELECT closee FROM zl_daily", e.Message);
        Assert.Contains("invalidQuery at query: Unrecognized name: closee at [1:8]", e.Message);
        Assert.Contains($"{server.BaseUrl}/bigquery/v2/projects/cbi-test-project/queries", e.Message);
        NoTokenIn(e);
    }

    [Fact]
    public async Task a_missing_table_is_reported_as_not_found_naming_the_table()
    {
        // tables.delete of a table that does not exist: 404 notFound (…/tables/delete) is no error for cleanup;
        // insertAll into it is (…/tabledata/insertAll).
        using var server = new LoopbackServer(r => Error(404, "notFound", "Not found: Table cbi-test-project:warehouse.forecasts", status: "NOT_FOUND"));
        using var client = Client(server.BaseUrl);
        await client.DeleteTableAsync("warehouse", "forecasts");
        var e = await Assert.ThrowsAsync<BigQueryException>(() =>
            client.InsertAllAsync("warehouse", "forecasts", [("k", new JsonObject { ["horizon"] = 5 })]));

        Assert.Equal("notFound", e.Reason);
        Assert.Contains("insertAll of 1 rows into warehouse.forecasts", e.Message);
        Assert.Contains("Not found: Table cbi-test-project:warehouse.forecasts", e.Message);
    }

    [Fact]
    public async Task wrong_credentials_give_a_clear_error_without_the_token()
    {
        // 401 with reason authError (https://cloud.google.com/bigquery/docs/error-messages#errortable: "the
        // credentials are invalid"); status UNAUTHENTICATED.
        using var server = new LoopbackServer(_ => Error(401, "authError", "Request had invalid authentication credentials. Expected OAuth 2 access token.", status: "UNAUTHENTICATED"));
        using var client = Client(server.BaseUrl);
        var log = new StringWriter();
        var previous = Log.Writer;
        BigQueryException e;
        try
        {
            Log.Writer = log;
            e = await Assert.ThrowsAsync<BigQueryException>(() => client.QueryAsync("SELECT value FROM build_info"));
        }
        finally { Log.Writer = previous; }

        Assert.Single(server.Requests);
        Assert.Equal(401, e.StatusCode);
        Assert.Equal("authError", e.Reason);
        Assert.Contains("Check the credentials (GOOGLE_APPLICATION_CREDENTIALS", e.Message);
        Assert.DoesNotContain(Token, e.ToString());
        Assert.DoesNotContain(Token, log.ToString());
    }

    [Fact]
    public async Task an_unreachable_host_is_named_in_the_error()
    {
        var port = LoopbackServer.FreePort();
        using var client = Client($"http://127.0.0.1:{port}", attempts: 2);
        var e = await Assert.ThrowsAsync<BigQueryException>(() => client.QueryAsync("SELECT 1"));

        Assert.Null(e.StatusCode);
        Assert.Equal(1, client.Retries);
        Assert.Contains($"cannot reach http://127.0.0.1:{port}/bigquery/v2/projects/cbi-test-project/queries after 2 attempt(s)", e.Message);
        NoTokenIn(e);
    }

    [Fact]
    public async Task insert_all_reports_every_refused_row_with_its_column_and_reason()
    {
        // tabledata.insertAll answers 200 with insertErrors [{index, errors: [{reason, location, message}]}]
        // (https://cloud.google.com/bigquery/docs/reference/rest/v2/tabledata/insertAll#response-body).
        using var server = new LoopbackServer(_ => Answer.Json(new JsonObject
        {
            ["kind"] = "bigquery#tableDataInsertAllResponse",
            ["insertErrors"] = new JsonArray(
                new JsonObject { ["index"] = 1, ["errors"] = new JsonArray(new JsonObject { ["reason"] = "invalid", ["location"] = "p50", ["message"] = "Cannot convert value to floating point" }) },
                new JsonObject { ["index"] = 0, ["errors"] = new JsonArray(new JsonObject { ["reason"] = "stopped", ["location"] = "", ["message"] = "" }) }),
        }));
        using var client = Client(server.BaseUrl);
        var rows = ForecastRows().Take(2).Select(r => ($"{r.ModelVersion}|{r.OriginDate:yyyy-MM-dd}|{r.Horizon}", BigQueryWarehouse.Json(r))).ToList();
        var e = await Assert.ThrowsAsync<BigQueryException>(() => client.InsertAllAsync("warehouse", "forecasts", rows));

        Assert.Contains("2 row(s) refused, nothing inserted", e.Message);
        Assert.Contains("row 1: invalid at p50: Cannot convert value to floating point", e.Message);
        Assert.Equal("invalid", e.Reason);
        var sent = (JsonArray)Assert.Single(server.Requests).Json!["rows"]!;
        Assert.Equal(rows[0].Item1, sent[0]!["insertId"]!.GetValue<string>());
        Assert.Equal(rows[0].Item2["p50"]!.GetValue<double>(), sent[0]!["json"]!["p50"]!.GetValue<double>());
    }

    [Fact]
    public async Task a_copy_retried_after_its_job_was_created_follows_that_job()
    {
        // jobs.insert (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert) of a job id that exists
        // answers 409 with reason duplicate (https://cloud.google.com/bigquery/docs/error-messages#errortable): here the
        // first try's answer was lost (503) after the job was created, so the retry meets its own job and follows it
        // with jobs.get (…/jobs/get), whose Job resource has status.state DONE.
        var inserts = 0;
        using var server = new LoopbackServer(r =>
        {
            if (r.Method == "POST")
                return ++inserts == 1
                    ? Error(503, "backendError", "Error encountered during execution.", status: "UNAVAILABLE")
                    : Error(409, "duplicate", "Already Exists: Job cbi-test-project:US." + r.Json!["jobReference"]!["jobId"], status: "ALREADY_EXISTS");
            return Answer.Json(new JsonObject { ["kind"] = "bigquery#job", ["status"] = new JsonObject { ["state"] = "DONE" } });
        });
        using var client = Client(server.BaseUrl);
        var job = await client.CopyTableAsync("warehouse", "zl_daily__staging_1", "zl_daily");

        Assert.Equal(2, inserts);
        Assert.Equal(1, client.Retries);
        var seen = server.Requests.ToArray();
        Assert.Equal($"/bigquery/v2/projects/cbi-test-project/jobs/{job}", seen[2].Path);
        Assert.Equal("WRITE_TRUNCATE", seen[0].Json!["configuration"]!["copy"]!["writeDisposition"]!.GetValue<string>());
        Assert.Equal(job, seen[1].Json!["jobReference"]!["jobId"]!.GetValue<string>());
    }

    /// <summary>Real forecasts: the smoke run's committed artifacts/smoke/forecasts.parquet.</summary>
    internal static IReadOnlyList<Cbi.Workbench.Evaluation.ForecastRow> ForecastRows()
    {
        var path = Path.Combine(Workbench.Root, "artifacts", "smoke", "forecasts.parquet");
        using var db = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT origin_date, horizon, target_date, model_version, p10, p50, p90, created_at FROM read_parquet('{path}') ORDER BY model_version, horizon, origin_date";
        using var r = cmd.ExecuteReader();
        var list = new List<Cbi.Workbench.Evaluation.ForecastRow>();
        while (r.Read())
            list.Add(new Cbi.Workbench.Evaluation.ForecastRow(r.GetFieldValue<DateOnly>(0), r.GetInt32(1), r.GetFieldValue<DateOnly>(2), r.GetString(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6), r.GetDateTime(7)));
        Assert.NotEmpty(list);
        return list;
    }
}
