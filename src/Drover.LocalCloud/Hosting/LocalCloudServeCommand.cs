namespace Drover.LocalCloud.Hosting;

/// <summary>How to start <c>local serve</c>: a program and the arguments before <c>local serve ...</c> (e.g. <c>dotnet drover.dll</c>).</summary>
public sealed record LocalCloudServeCommand(string File, IReadOnlyList<string> Arguments);
