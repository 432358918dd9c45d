namespace Drover.Core.Ssh;

/// <summary>Connecting to the remote machine failed, or the connection dropped mid-command.</summary>
public sealed class RemoteShellException(string message, Exception? innerException = null) : DroverException(message, innerException);
