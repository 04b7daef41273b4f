using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Cbi.Workbench.Tests.Data.BigQuery;

/// <summary>A request as the loopback server saw it.</summary>
internal sealed record SeenRequest(string Method, string Path, string Query, string? Authorization, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Encoding.UTF8.GetString(Body));
    public string? QueryValue(string key) =>
        Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .Where(p => Uri.UnescapeDataString(p[0]) == key).Select(p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : "")).FirstOrDefault();
}

/// <summary>An answer: status, JSON body, extra headers.</summary>
internal sealed record Answer(int Status, string Body = "{}", IReadOnlyDictionary<string, string>? Headers = null)
{
    public static Answer Json(JsonNode body, int status = 200) => new(status, body.ToJsonString());
}

/// <summary>A BigQuery stand-in on 127.0.0.1 (random port) that answers each request with a handler and records
/// every request. The real service is not reachable from this machine; the handlers answer with the response shapes
/// of the BigQuery v2 REST reference, cited at each test.</summary>
internal sealed class LoopbackServer : IDisposable
{
    readonly HttpListener listener = new();
    readonly Func<SeenRequest, Answer> handler;
    readonly Task loop;
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();
    public string BaseUrl { get; }

    public LoopbackServer(Func<SeenRequest, Answer> handler)
    {
        this.handler = handler;
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        listener.Prefixes.Add(BaseUrl + "/");
        listener.Start();
        loop = Task.Run(Serve);
    }

    /// <summary>A port nobody listens on (bound and released at once): for "connection refused".</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await listener.GetContextAsync(); }
            catch (Exception) { return; }
            using var ms = new MemoryStream();
            await ctx.Request.InputStream.CopyToAsync(ms);
            var headers = ctx.Request.Headers.AllKeys.Where(k => k != null).ToDictionary(k => k!, k => ctx.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var seen = new SeenRequest(ctx.Request.HttpMethod, ctx.Request.Url!.AbsolutePath, ctx.Request.Url.Query,
                ctx.Request.Headers["Authorization"], headers, ms.ToArray());
            Requests.Enqueue(seen);
            Answer answer;
            try { answer = handler(seen); }
            catch (Exception e) { answer = new Answer(418, new JsonObject { ["test_handler_failed"] = e.ToString() }.ToJsonString()); }
            ctx.Response.StatusCode = answer.Status;
            foreach (var (k, v) in answer.Headers ?? new Dictionary<string, string>()) ctx.Response.Headers[k] = v;
            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            if (bytes.Length > 0)
            {
                ctx.Response.ContentType = "application/json; charset=UTF-8";
                ctx.Response.ContentLength64 = bytes.Length;
                await ctx.Response.OutputStream.WriteAsync(bytes);
            }
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
