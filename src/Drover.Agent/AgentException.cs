namespace Drover.Agent;

/// <summary>A step failed for a reason the status report states as is.</summary>
public sealed class AgentException(string message, Exception? inner = null) : Drover.Core.DroverException(message, inner);
