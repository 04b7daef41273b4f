using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cbi.Workbench.Data.BigQuery;

/// <summary>A BigQuery failure: an HTTP error answer, a job that ended with <c>status.errorResult</c>, rows refused by
/// <c>insertAll</c>, or a host that cannot be reached. The message names what was being done (the statement, job or
/// table) and where (the URL without query string, the job id, the error's <c>location</c>), never a credential.</summary>
public sealed class BigQueryException : Exception
{
    /// <summary>HTTP status of the answer; null when none came (unreachable host) or the job itself failed.</summary>
    public int? StatusCode { get; }
    /// <summary>The first error's <c>reason</c> (e.g. <c>invalidQuery</c>, <c>notFound</c>, <c>authError</c>,
    /// <c>rateLimitExceeded</c>), see https://cloud.google.com/bigquery/docs/error-messages; null when none.</summary>
    public string? Reason { get; }
    /// <summary>The job id the failure belongs to, when there is one.</summary>
    public string? JobId { get; }

    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public BigQueryException(string message, Exception? inner = null, int? statusCode = null, string? reason = null, string? jobId = null)
        : base(message, inner) { StatusCode = statusCode; Reason = reason; JobId = jobId; }
}

/// <summary>One column of a BigQuery schema (<c>TableFieldSchema</c>: name, type such as STRING, INT64, FLOAT64,
/// BOOL, DATE, TIMESTAMP; mode NULLABLE).</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">BigQuery standard SQL type name.</param>
internal sealed record BigQueryField(string Name, string Type);

/// <summary>A finished query: its schema and every row of every page, values typed by the schema (STRING → string,
/// INT64 → long, FLOAT64 → double, BOOL → bool, DATE → DateOnly, TIMESTAMP → DateTime UTC, NULL → null).</summary>
/// <param name="JobId">The query job's id.</param>
/// <param name="Fields">The result schema.</param>
/// <param name="Rows">The rows in the order BigQuery returned them.</param>
/// <param name="Pages">How many result pages were read (1 + the number of page tokens followed).</param>
/// <param name="DmlAffectedRows">For a DML statement, <c>numDmlAffectedRows</c>; null otherwise.</param>
internal sealed record BigQueryResult(string JobId, IReadOnlyList<BigQueryField> Fields, IReadOnlyList<object?[]> Rows, int Pages, long? DmlAffectedRows);

/// <summary>A small client of the BigQuery v2 REST API (https://cloud.google.com/bigquery/docs/reference/rest): queries
/// (<c>jobs.query</c>, then <c>jobs.getQueryResults</c> to wait for the job and to follow <c>pageToken</c>s), Parquet
/// load jobs through the resumable upload protocol, copy jobs, <c>tables.delete</c> and <c>tabledata.insertAll</c>.
/// <para>Every request carries a fresh token from <see cref="IAccessTokenSource"/>. 429 and 5xx answers, and
/// connections that fail, are retried with exponential back-off up to <see cref="MaxAttempts"/> times; requests that
/// create something carry a client-made id (<c>requestId</c>, <c>jobReference.jobId</c>, <c>insertId</c>) so a retry
/// cannot run a statement or load twice. Any other error answer is thrown at once as a
/// <see cref="BigQueryException"/> built from the documented error body (<c>error.errors[].reason</c>,
/// <c>message</c>, <c>location</c>).</para></summary>
internal sealed class BigQueryClient : IDisposable
{
    /// <summary>The public endpoint.</summary>
    public const string DefaultBaseUrl = "https://bigquery.googleapis.com";

    readonly HttpClient http;
    readonly IAccessTokenSource tokens;
    readonly string baseUrl;

    /// <summary>The project jobs run in and bill to.</summary>
    public string Project { get; }
    /// <summary>Dataset location (e.g. <c>US</c>, <c>EU</c>, <c>europe-west3</c>); null = BigQuery decides from the dataset.</summary>
    public string? Location { get; }
    /// <summary>Tries per request, the first included (429/5xx/connection failures); default 6.</summary>
    public int MaxAttempts { get; init; } = 6;
    /// <summary>First back-off wait, doubled after each retry or unfinished poll up to <see cref="MaxDelay"/>; default 0.5 s.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Longest back-off wait; default 30 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long to wait for a job to finish before giving up; default 6 h.</summary>
    public TimeSpan JobTimeout { get; init; } = TimeSpan.FromHours(6);
    /// <summary>Rows asked for per result page (<c>maxResults</c>); default 50,000.</summary>
    public int PageSize { get; init; } = 50_000;
    /// <summary>Retries made so far (429/5xx answers and failed connections), for tests and progress lines.</summary>
    public int Retries { get; private set; }
    /// <summary>Polls of unfinished jobs made so far.</summary>
    public int Polls { get; private set; }

    /// <summary>A client of <paramref name="project"/> through <paramref name="baseUrl"/> (default the public endpoint;
    /// tests give a loopback server).</summary>
    /// <exception cref="ArgumentException">Empty project or a base URL that is not absolute http(s).</exception>
    public BigQueryClient(string project, string? location, IAccessTokenSource tokens, string? baseUrl = null, HttpMessageHandler? handler = null)
    {
        if (string.IsNullOrWhiteSpace(project)) throw new ArgumentException("BigQuery project is empty (option --project or CBI_BQ_PROJECT).", nameof(project));
        baseUrl ??= DefaultBaseUrl;
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            throw new ArgumentException($"BigQuery base URL '{baseUrl}' is not an absolute http(s) URL.", nameof(baseUrl));
        Project = project; Location = string.IsNullOrWhiteSpace(location) ? null : location;
        this.tokens = tokens;
        this.baseUrl = baseUrl.TrimEnd('/');
        http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.Timeout = TimeSpan.FromMinutes(10);
    }

    /// <inheritdoc/>
    public void Dispose() => http.Dispose();

    string Api(string path) => $"{baseUrl}/bigquery/v2/projects/{Uri.EscapeDataString(Project)}/{path}";

    /// <summary>A fresh job id: BigQuery allows letters, digits, '_' and '-' (≤ 1,024 characters).</summary>
    internal static string NewJobId(string what) => $"cbi_{what}_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid():N}";

    // ---------------------------------------------------------------- queries

    /// <summary>Runs one GoogleSQL statement (or script) and returns every row: <c>jobs.query</c>, then
    /// <c>jobs.getQueryResults</c> with back-off while <c>jobComplete</c> is false, then once per <c>pageToken</c>.</summary>
    /// <param name="sql">The statement (GoogleSQL, <c>useLegacySql: false</c>).</param>
    /// <param name="defaultDataset">Dataset that unqualified table names refer to (<c>QueryRequest.defaultDataset</c>).</param>
    /// <param name="cancel">Cancels waiting and paging.</param>
    /// <exception cref="BigQueryException">The statement failed (message names the job and the start of the statement).</exception>
    public async Task<BigQueryResult> QueryAsync(string sql, string? defaultDataset = null, CancellationToken cancel = default)
    {
        var what = $"query `{Abbrev(sql)}`";
        var body = new JsonObject
        {
            ["query"] = sql,
            ["useLegacySql"] = false,
            ["maxResults"] = PageSize,
            ["timeoutMs"] = 10_000,
            // Makes a retried POST the same query, not a second run (jobs.query QueryRequest.requestId).
            ["requestId"] = Guid.NewGuid().ToString(),
            ["formatOptions"] = new JsonObject { ["useInt64Timestamp"] = true },
        };
        if (Location != null) body["location"] = Location;
        if (defaultDataset != null) body["defaultDataset"] = new JsonObject { ["projectId"] = Project, ["datasetId"] = defaultDataset };
        var page = await SendJsonAsync(HttpMethod.Post, Api("queries"), body, what, null, cancel).ConfigureAwait(false);
        var jobId = page["jobReference"]?["jobId"]?.GetValue<string>();
        var location = page["jobReference"]?["location"]?.GetValue<string>() ?? Location;
        var delay = FirstDelay;
        var started = DateTime.UtcNow;
        while (page["jobComplete"]?.GetValue<bool>() != true)
        {
            if (jobId is null) throw new BigQueryException($"BigQuery {what}: jobComplete is false but the answer has no jobReference.jobId.");
            if (DateTime.UtcNow - started > JobTimeout) throw new BigQueryException($"BigQuery {what}: job {jobId} not complete after {JobTimeout}.", jobId: jobId);
            Polls++;
            await Task.Delay(delay, cancel).ConfigureAwait(false);
            delay = Next(delay);
            page = await SendJsonAsync(HttpMethod.Get, ResultsUrl(jobId, location, null), null, $"{what} (job {jobId})", jobId, cancel).ConfigureAwait(false);
        }
        // A failed query is an HTTP error of jobs.query or getQueryResults; the answer's "errors" may hold warnings
        // of a job that succeeded (QueryResponse.errors), so it is not read as failure.
        jobId ??= "";
        var fields = Fields(page["schema"]);
        var rows = new List<object?[]>();
        var pages = 1;
        AddRows(page, fields, rows, what);
        while (page["pageToken"]?.GetValue<string>() is { Length: > 0 } token)
        {
            pages++;
            page = await SendJsonAsync(HttpMethod.Get, ResultsUrl(jobId, location, token), null, $"{what} (job {jobId}, page {pages})", jobId, cancel).ConfigureAwait(false);
            AddRows(page, fields, rows, what);
        }
        long? dml = page["numDmlAffectedRows"] is { } n ? long.Parse(n.GetValue<string>(), CultureInfo.InvariantCulture) : null;
        if (page["totalRows"]?.GetValue<string>() is { } total && dml is null && long.Parse(total, CultureInfo.InvariantCulture) != rows.Count)
            throw new BigQueryException($"BigQuery {what} (job {jobId}): totalRows is {total} but {rows.Count} rows came in {pages} page(s).", jobId: jobId);
        return new BigQueryResult(jobId, fields, rows, pages, dml);
    }

    string ResultsUrl(string jobId, string? location, string? pageToken)
    {
        var q = $"maxResults={PageSize}&timeoutMs=10000&formatOptions.useInt64Timestamp=true";
        if (location != null) q += "&location=" + Uri.EscapeDataString(location);
        if (pageToken != null) q += "&pageToken=" + Uri.EscapeDataString(pageToken);
        return Api($"queries/{Uri.EscapeDataString(jobId)}?{q}");
    }

    static List<BigQueryField> Fields(JsonNode? schema) =>
        (schema?["fields"] as JsonArray ?? []).Select(f => new BigQueryField(f!["name"]!.GetValue<string>(), f["type"]!.GetValue<string>())).ToList();

    static void AddRows(JsonNode page, List<BigQueryField> fields, List<object?[]> rows, string what)
    {
        foreach (var row in page["rows"] as JsonArray ?? [])
        {
            var cells = row!["f"] as JsonArray ?? throw new BigQueryException($"BigQuery {what}: row {rows.Count} has no 'f' array.");
            if (cells.Count != fields.Count) throw new BigQueryException($"BigQuery {what}: row {rows.Count} has {cells.Count} cells, the schema {fields.Count} columns.");
            var values = new object?[fields.Count];
            for (var i = 0; i < values.Length; i++)
                values[i] = Value(cells[i]?["v"], fields[i], rows.Count, what);
            rows.Add(values);
        }
    }

    /// <summary>A cell's JSON text (<c>{"v": "…"}</c>) as the CLR value of its column's type.</summary>
    static object? Value(JsonNode? v, BigQueryField f, int row, string what)
    {
        if (v is null) return null;
        var s = v.GetValue<string>();
        try
        {
            return f.Type switch
            {
                "STRING" => s,
                "INTEGER" or "INT64" => long.Parse(s, CultureInfo.InvariantCulture),
                "FLOAT" or "FLOAT64" => s switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => double.Parse(s, CultureInfo.InvariantCulture) },
                "BOOLEAN" or "BOOL" => s == "true",
                "DATE" => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                // formatOptions.useInt64Timestamp: microseconds since the Unix epoch.
                "TIMESTAMP" => DateTime.UnixEpoch.AddTicks(long.Parse(s, CultureInfo.InvariantCulture) * 10),
                _ => throw new FormatException($"type {f.Type} is not read by the workbench"),
            };
        }
        catch (FormatException e)
        {
            throw new BigQueryException($"BigQuery {what}: row {row}, column {f.Name} ({f.Type}): cannot read '{Abbrev(s)}': {e.Message}", e);
        }
    }

    // ---------------------------------------------------------------- jobs

    /// <summary>Loads a Parquet file into a table with a load job sent through the resumable upload protocol
    /// (https://cloud.google.com/bigquery/docs/reference/api-uploads): POST the job's metadata to
    /// <c>/upload/bigquery/v2/projects/P/jobs?uploadType=resumable</c>, take the session URI from the
    /// <c>Location</c> header, PUT the bytes there, then wait for the job (<c>jobs.get</c>) to be DONE.</summary>
    /// <param name="parquetPath">The Parquet file.</param>
    /// <param name="dataset">Dataset id of the destination.</param>
    /// <param name="table">Table id of the destination.</param>
    /// <param name="schema">Destination schema (names and BigQuery types).</param>
    /// <param name="writeDisposition"><c>WRITE_TRUNCATE</c> (replace, atomically on success) or <c>WRITE_APPEND</c>.</param>
    /// <param name="cancel">Cancels the wait.</param>
    /// <returns>The job id.</returns>
    /// <exception cref="BigQueryException">The upload or the job failed (message names the table, job and file).</exception>
    public async Task<string> LoadParquetAsync(string parquetPath, string dataset, string table, IReadOnlyList<BigQueryField> schema,
        string writeDisposition = "WRITE_TRUNCATE", CancellationToken cancel = default)
    {
        var jobId = NewJobId("load");
        var what = $"load of {Path.GetFileName(parquetPath)} into {dataset}.{table} (job {jobId})";
        var bytes = await File.ReadAllBytesAsync(parquetPath, cancel).ConfigureAwait(false);
        var job = Job(jobId, new JsonObject
        {
            ["load"] = new JsonObject
            {
                ["sourceFormat"] = "PARQUET",
                ["destinationTable"] = TableRef(dataset, table),
                ["writeDisposition"] = writeDisposition,
                ["createDisposition"] = "CREATE_IF_NEEDED",
                ["schema"] = new JsonObject { ["fields"] = new JsonArray(schema.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type, ["mode"] = "NULLABLE" }).ToArray()) },
            },
        });
        var start = $"{baseUrl}/upload/bigquery/v2/projects/{Uri.EscapeDataString(Project)}/jobs?uploadType=resumable";
        using var started = await SendAsync(() =>
        {
            var m = new HttpRequestMessage(HttpMethod.Post, start) { Content = JsonContent(job) };
            m.Headers.Add("X-Upload-Content-Type", "application/octet-stream");
            m.Headers.Add("X-Upload-Content-Length", bytes.Length.ToString(CultureInfo.InvariantCulture));
            return m;
        }, what, jobId, cancel).ConfigureAwait(false);
        var session = started.Headers.Location
                      ?? throw new BigQueryException($"BigQuery {what}: the resumable upload was accepted without a Location header (no session URI).", jobId: jobId);
        if (!session.IsAbsoluteUri) session = new Uri(new Uri(start), session);
        using var uploaded = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, session)
        {
            Content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
        }, what, jobId, cancel).ConfigureAwait(false);
        var state = await ReadJsonAsync(uploaded, what, cancel).ConfigureAwait(false);
        await WaitForJobAsync(state, jobId, what, cancel).ConfigureAwait(false);
        return jobId;
    }

    /// <summary>Copies a table over another (<c>jobs.insert</c> with a copy configuration, WRITE_TRUNCATE: the
    /// destination is replaced as a whole when the job succeeds and left as it was when it fails).</summary>
    /// <exception cref="BigQueryException">The copy failed.</exception>
    public async Task<string> CopyTableAsync(string dataset, string source, string destination, CancellationToken cancel = default)
    {
        var jobId = NewJobId("copy");
        var what = $"copy of {dataset}.{source} over {dataset}.{destination} (job {jobId})";
        var job = Job(jobId, new JsonObject
        {
            ["copy"] = new JsonObject
            {
                ["sourceTable"] = TableRef(dataset, source),
                ["destinationTable"] = TableRef(dataset, destination),
                ["writeDisposition"] = "WRITE_TRUNCATE",
                ["createDisposition"] = "CREATE_IF_NEEDED",
            },
        });
        JsonNode state;
        try { state = await SendJsonAsync(HttpMethod.Post, Api("jobs"), job, what, jobId, cancel).ConfigureAwait(false); }
        catch (BigQueryException e) when (e.StatusCode == 409)
        {
            // 409 duplicate: an earlier try of this very request created the job (its answer was lost); follow that job.
            state = new JsonObject();
        }
        await WaitForJobAsync(state, jobId, what, cancel).ConfigureAwait(false);
        return jobId;
    }

    /// <summary>Deletes a table (<c>tables.delete</c>); a table that does not exist is not an error.</summary>
    /// <exception cref="BigQueryException">Any other failure.</exception>
    public async Task DeleteTableAsync(string dataset, string table, CancellationToken cancel = default)
    {
        var url = Api($"datasets/{Uri.EscapeDataString(dataset)}/tables/{Uri.EscapeDataString(table)}");
        try
        {
            using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, url), $"delete of {dataset}.{table}", null, cancel).ConfigureAwait(false);
        }
        catch (BigQueryException e) when (e.StatusCode == 404) { }
    }

    /// <summary>Streams rows into a table (<c>tabledata.insertAll</c>). Each row's <c>insertId</c> lets BigQuery drop a
    /// retried duplicate. Any <c>insertErrors</c> entry fails the call, naming the row index, column and reason.</summary>
    /// <param name="dataset">Dataset id.</param>
    /// <param name="table">Table id.</param>
    /// <param name="rows">(insertId, column → JSON value) per row.</param>
    /// <param name="cancel">Cancels the request.</param>
    /// <exception cref="BigQueryException">The request failed or some rows were refused (skipInvalidRows is false, so
    /// BigQuery then inserts none of them).</exception>
    public async Task InsertAllAsync(string dataset, string table, IReadOnlyList<(string InsertId, JsonObject Json)> rows, CancellationToken cancel = default)
    {
        var what = $"insertAll of {rows.Count} rows into {dataset}.{table}";
        var body = new JsonObject
        {
            ["kind"] = "bigquery#tableDataInsertAllRequest",
            ["skipInvalidRows"] = false,
            ["ignoreUnknownValues"] = false,
            ["rows"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject { ["insertId"] = r.InsertId, ["json"] = r.Json.DeepClone() }).ToArray()),
        };
        var url = Api($"datasets/{Uri.EscapeDataString(dataset)}/tables/{Uri.EscapeDataString(table)}/insertAll");
        var answer = await SendJsonAsync(HttpMethod.Post, url, body, what, null, cancel).ConfigureAwait(false);
        if (answer["insertErrors"] is JsonArray { Count: > 0 } errors)
        {
            var lines = errors.Take(5).Select(e =>
            {
                var first = (e!["errors"] as JsonArray)?.FirstOrDefault();
                return $"row {e["index"]}: {first?["reason"]} at {first?["location"] ?? "?"}: {first?["message"]}";
            });
            throw new BigQueryException($"BigQuery {what}: {errors.Count} row(s) refused, nothing inserted: {string.Join("; ", lines)}" + (errors.Count > 5 ? " …" : ""),
                reason: (errors[0]!["errors"] as JsonArray)?.FirstOrDefault()?["reason"]?.GetValue<string>());
        }
    }

    JsonObject Job(string jobId, JsonObject configuration)
    {
        var reference = new JsonObject { ["projectId"] = Project, ["jobId"] = jobId };
        if (Location != null) reference["location"] = Location;
        return new JsonObject { ["jobReference"] = reference, ["configuration"] = configuration };
    }

    JsonObject TableRef(string dataset, string table) => new() { ["projectId"] = Project, ["datasetId"] = dataset, ["tableId"] = table };

    /// <summary>Polls <c>jobs.get</c> with back-off until <c>status.state</c> is DONE, then throws its
    /// <c>status.errorResult</c> if it has one.</summary>
    async Task WaitForJobAsync(JsonNode job, string jobId, string what, CancellationToken cancel)
    {
        var delay = FirstDelay;
        var started = DateTime.UtcNow;
        var url = Api($"jobs/{Uri.EscapeDataString(jobId)}" + (Location != null ? "?location=" + Uri.EscapeDataString(Location) : ""));
        while (job["status"]?["state"]?.GetValue<string>() != "DONE")
        {
            if (DateTime.UtcNow - started > JobTimeout) throw new BigQueryException($"BigQuery {what}: not DONE after {JobTimeout}.", jobId: jobId);
            Polls++;
            await Task.Delay(delay, cancel).ConfigureAwait(false);
            delay = Next(delay);
            job = await SendJsonAsync(HttpMethod.Get, url, null, what, jobId, cancel).ConfigureAwait(false);
        }
        // status.errorResult set = the job failed (https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatus);
        // status.errors alone can list rows skipped within allowed limits.
        if (job["status"]?["errorResult"] is not { } error) return;
        var count = (job["status"]?["errors"] as JsonArray)?.Count ?? 0;
        throw new BigQueryException($"BigQuery {what} failed: {Describe(error)}" + (count > 1 ? $" (and {count - 1} more error(s))" : ""),
            reason: error["reason"]?.GetValue<string>(), jobId: jobId);
    }

    // ---------------------------------------------------------------- HTTP

    async Task<JsonNode> SendJsonAsync(HttpMethod method, string url, JsonObject? body, string what, string? jobId, CancellationToken cancel)
    {
        using var answer = await SendAsync(() => new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent(body) }, what, jobId, cancel).ConfigureAwait(false);
        return await ReadJsonAsync(answer, what, cancel).ConfigureAwait(false);
    }

    static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage answer, string what, CancellationToken cancel)
    {
        var text = await answer.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
        try { return JsonNode.Parse(text) ?? new JsonObject(); }
        catch (JsonException e) { throw new BigQueryException($"BigQuery {what}: the answer (HTTP {(int)answer.StatusCode}) is not JSON: {Abbrev(text)}", e); }
    }

    static StringContent JsonContent(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>Sends a request made fresh for each try (a request message cannot be sent twice) with a current
    /// token; retries 429, 5xx and failed connections with back-off; turns other errors into a
    /// <see cref="BigQueryException"/>. The caller disposes the successful answer.</summary>
    async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, string what, string? jobId, CancellationToken cancel)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            using var request = make();
            var where = Where(request.RequestUri!);
            var token = await tokens.GetTokenAsync(cancel).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            HttpResponseMessage answer;
            try
            {
                answer = await http.SendAsync(request, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancel.IsCancellationRequested))
            {
                // A refused or dropped connection, or HttpClient's own timeout (a TaskCanceledException nobody asked for).
                if (attempt < MaxAttempts) { Retries++; await Task.Delay(delay, cancel).ConfigureAwait(false); delay = Next(delay); continue; }
                throw new BigQueryException($"BigQuery {what}: cannot reach {where} after {attempt} attempt(s): {e.Message}", e, jobId: jobId);
            }
            var status = (int)answer.StatusCode;
            if (answer.IsSuccessStatusCode) return answer;
            using (answer)
            {
                var text = await answer.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
                if ((status == 429 || status >= 500) && attempt < MaxAttempts)
                {
                    Retries++;
                    // Honour Retry-After when the server sets it, within our own ceiling.
                    var wait = answer.Headers.RetryAfter?.Delta is { } ra && ra < MaxDelay ? ra : delay;
                    await Task.Delay(wait, cancel).ConfigureAwait(false);
                    delay = Next(delay);
                    continue;
                }
                throw Error(status, text, what, where, jobId, attempt);
            }
        }
    }

    /// <summary>The error body (https://cloud.google.com/bigquery/docs/reference/rest/v2/ErrorProto within Google's
    /// standard <c>{"error": {"code", "message", "errors": [{"reason", "location", "message"}], "status"}}</c>).</summary>
    static BigQueryException Error(int status, string text, string what, string where, string? jobId, int attempts)
    {
        JsonNode? error = null;
        try { error = JsonNode.Parse(text)?["error"]; } catch (JsonException) { }
        var first = (error?["errors"] as JsonArray)?.FirstOrDefault();
        var reason = first?["reason"]?.GetValue<string>() ?? error?["status"]?.GetValue<string>();
        var detail = first != null ? Describe(first) : error?["message"]?.GetValue<string>() ?? Abbrev(text);
        var hint = status == 401 || reason == "authError"
            ? " Check the credentials (GOOGLE_APPLICATION_CREDENTIALS or the metadata server) and that they are meant for this project."
            : status == 403 ? " The credentials lack a role on the project or dataset (see environment.md, BigQuery)." : "";
        return new BigQueryException($"BigQuery {what} failed: HTTP {status} from {where}" + (attempts > 1 ? $" after {attempts} attempts" : "") + $": {detail}.{hint}",
            statusCode: status, reason: reason, jobId: jobId);
    }

    static string Describe(JsonNode e)
    {
        var reason = e["reason"]?.GetValue<string>();
        var location = e["location"]?.GetValue<string>();
        var message = e["message"]?.GetValue<string>();
        var head = (reason ?? "error") + (string.IsNullOrEmpty(location) ? "" : $" at {location}");
        return $"{head}: {message ?? "(no message)"}";
    }

    /// <summary>Scheme, host, port and path of a URL: query strings (upload ids, page tokens) stay out of messages.</summary>
    static string Where(Uri u) => u.GetLeftPart(UriPartial.Path);

    TimeSpan Next(TimeSpan d) => TimeSpan.FromTicks(Math.Min(d.Ticks * 2, MaxDelay.Ticks));

    internal static string Abbrev(string s)
    {
        var one = string.Join(' ', s.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(x => x.Trim()));
        return one.Length <= 160 ? one : one[..157] + "…";
    }
}
