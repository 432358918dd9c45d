namespace Drover.Fleet;

/// <summary>A fleet operation cannot go on (a host without a server, a refused secrets bundle, a taken key name); the message says what to do.</summary>
public sealed class FleetException(string message, Exception? innerException = null) : Drover.Core.DroverException(message, innerException);
