namespace Drover.Hcloud;

/// <summary>The <c>RateLimit-*</c> headers of the last response.</summary>
/// <param name="Limit">Requests per hour.</param>
/// <param name="Remaining">Requests left now.</param>
/// <param name="Reset">When the budget is full again.</param>
public sealed record RateLimitInfo(int Limit, int Remaining, DateTimeOffset Reset)
{
    internal static RateLimitInfo? FromHeaders(System.Net.Http.Headers.HttpResponseHeaders headers)
    {
        static long? Read(System.Net.Http.Headers.HttpResponseHeaders h, string name)
            => h.TryGetValues(name, out var v) && long.TryParse(v.FirstOrDefault(), out var n) ? n : null;
        var limit = Read(headers, "RateLimit-Limit");
        var remaining = Read(headers, "RateLimit-Remaining");
        var reset = Read(headers, "RateLimit-Reset");
        return limit is null || remaining is null || reset is null
            ? null
            : new RateLimitInfo((int)limit, (int)remaining, DateTimeOffset.FromUnixTimeSeconds(reset.Value));
    }
}
