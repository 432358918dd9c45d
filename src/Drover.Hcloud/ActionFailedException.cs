using Drover.Hcloud.Contracts;

namespace Drover.Hcloud;

/// <summary>An action finished with status <c>error</c>.</summary>
public sealed class ActionFailedException(CloudAction action)
    : Drover.Core.DroverException($"action {action.Id} ({action.Command}) failed: {action.Error?.Message ?? "no message"} ({action.Error?.Code ?? "unknown_error"})")
{
    /// <summary>The failed action, with its <c>error</c>.</summary>
    public CloudAction Action { get; } = action;
}
