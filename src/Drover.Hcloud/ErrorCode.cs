namespace Drover.Hcloud;

/// <summary>Error codes the API returns in <c>error.code</c>.</summary>
public static class ErrorCode
{
    public const string JsonError = "json_error";
    public const string Unauthorized = "unauthorized";
    public const string TokenReadonly = "token_readonly";
    public const string Forbidden = "forbidden";
    public const string Maintenance = "maintenance";
    public const string ResourceLimitExceeded = "resource_limit_exceeded";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string UniquenessError = "uniqueness_error";
    public const string Conflict = "conflict";
    public const string DeprecatedApiEndpoint = "deprecated_api_endpoint";
    public const string ResourceUnavailable = "resource_unavailable";
    public const string InvalidInput = "invalid_input";
    public const string ServiceError = "service_error";
    public const string UnsupportedError = "unsupported_error";
    public const string Locked = "locked";
    public const string Protected = "protected";
    public const string RateLimitExceeded = "rate_limit_exceeded";
    public const string ServerError = "server_error";
    public const string Unavailable = "unavailable";
    public const string Timeout = "timeout";
    public const string BadGateway = "bad_gateway";
    public const string UnknownError = "unknown_error";
    public const string ActionFailed = "action_failed";
    public const string ServerNotStopped = "server_not_stopped";
    public const string InvalidServerType = "invalid_server_type";
}
