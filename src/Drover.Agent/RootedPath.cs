namespace Drover.Agent;

/// <summary>Maps an absolute path of the configured system into the agent's root directory.</summary>
internal static class RootedPath
{
    public static string Combine(string root, string absolute) =>
        root == "/" ? absolute : Path.Join(root.TrimEnd('/'), absolute);
}
