using Drover.Hcloud;
using Drover.Hcloud.Contracts;

namespace Drover.LocalCloud.Http;

/// <summary>Thrown by handlers and state operations; the error middleware turns it into the API's error envelope.</summary>
public sealed class ApiException(int status, string code, string message, ErrorDetails? details = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public ErrorDetails? Details { get; } = details;

    public static ApiException NotFound(string what) => new(404, ErrorCode.NotFound, $"{what} not found");

    /// <summary><c>422 invalid_input</c> naming the field, as the API does.</summary>
    public static ApiException InvalidInput(string field, string problem)
        => new(422, ErrorCode.InvalidInput, $"invalid input in field '{field}': {problem}",
            new ErrorDetails { Fields = [new ErrorField { Name = field, Messages = [problem] }] });

    public static ApiException Uniqueness(string field, string problem)
        => new(409, ErrorCode.UniquenessError, problem, new ErrorDetails { Fields = [new ErrorField { Name = field }] });

    public static ApiException Locked(string what) => new(423, ErrorCode.Locked, $"{what} is locked by a running action");

    public static ApiException Protected(string what) => new(423, ErrorCode.Protected, $"{what} is protected");
}
