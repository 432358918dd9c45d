namespace Drover.LocalCloud.Hosting;

/// <summary>The local cloud could not be started, stopped or reached; the message names its log or state.</summary>
public sealed class LocalCloudException(string message) : Drover.Core.DroverException(message);
