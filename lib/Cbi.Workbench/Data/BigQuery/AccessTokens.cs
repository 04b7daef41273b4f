using Google.Apis.Auth.OAuth2;

namespace Cbi.Workbench.Data.BigQuery;

/// <summary>Where the BigQuery client gets the OAuth 2.0 access token it sends with each request (an
/// <c>Authorization: Bearer</c> header). Asked before every request, so an implementation that caches must refresh
/// expired tokens itself. Tests inject a fixed fake token; the token is never logged or put in an exception.</summary>
internal interface IAccessTokenSource
{
    /// <summary>A current access token (opaque text).</summary>
    /// <exception cref="BigQueryException">No credentials could be found or refreshed.</exception>
    Task<string> GetTokenAsync(CancellationToken cancel);
}

/// <summary>Application Default Credentials (Google.Apis.Auth): the service-account key file named by
/// <c>GOOGLE_APPLICATION_CREDENTIALS</c>, the gcloud user credentials, or the GCE/GKE/Cloud Run metadata server,
/// in that order, scoped to <c>https://www.googleapis.com/auth/bigquery</c>. Google.Apis.Auth caches the token and
/// refreshes it a few minutes before it expires.</summary>
internal sealed class ApplicationDefaultTokenSource : IAccessTokenSource
{
    /// <summary>The OAuth scope BigQuery's jobs, uploads and tabledata calls need.</summary>
    public const string Scope = "https://www.googleapis.com/auth/bigquery";

    readonly Lazy<Task<ITokenAccess>> credential = new(async () =>
    {
        try
        {
            var c = await GoogleCredential.GetApplicationDefaultAsync().ConfigureAwait(false);
            return c.CreateScoped(Scope);
        }
        catch (InvalidOperationException e)
        {
            // The library's message names the variable and the well-known file it looked at; it holds no secret.
            throw new BigQueryException($"no Google Application Default Credentials: {e.Message} Set GOOGLE_APPLICATION_CREDENTIALS " +
                                        "to a service-account key file, run `gcloud auth application-default login`, or run on a machine with a metadata server.", e);
        }
    });

    /// <inheritdoc/>
    public async Task<string> GetTokenAsync(CancellationToken cancel)
    {
        var c = await credential.Value.ConfigureAwait(false);
        return await c.GetAccessTokenForRequestAsync(cancellationToken: cancel).ConfigureAwait(false);
    }
}

/// <summary>A token given up front (tests; a token minted elsewhere, e.g. by <c>gcloud auth print-access-token</c>).</summary>
/// <param name="token">The access token.</param>
internal sealed class FixedTokenSource(string token) : IAccessTokenSource
{
    /// <inheritdoc/>
    public Task<string> GetTokenAsync(CancellationToken cancel) => Task.FromResult(token);
}
