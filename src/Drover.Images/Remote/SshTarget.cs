namespace Drover.Images.Remote;

/// <summary>Where and how to reach a machine over SSH: root at an address, with one private key file.</summary>
public sealed record SshTarget(string Host, string PrivateKeyFile, int Port = 22, string User = "root");
