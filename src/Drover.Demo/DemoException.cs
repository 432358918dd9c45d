namespace Drover.Demo;

/// <summary>A step of the main job failed; the message names the host and carries what the server said (console, agent status).</summary>
public sealed class DemoException(string message, Exception? innerException = null) : Drover.Core.DroverException(message, innerException);
