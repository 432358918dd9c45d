namespace Drover.LocalCloud.Machines;

/// <summary>What a rescue system needs, captured when its power action starts.</summary>
/// <param name="ServerId">The server.</param>
/// <param name="Address">The server's public IPv4 (null if it has none: the rescue cannot start).</param>
/// <param name="AuthorizedKeys">The public halves of the rescue SSH keys, one OpenSSH line each.</param>
/// <param name="DiskBytes">The disk's size, for a server whose disk does not exist yet.</param>
internal sealed record RescueSpec(long ServerId, string? Address, IReadOnlyList<string> AuthorizedKeys, long DiskBytes);
