namespace Drover.CloudInit.Tests;

/// <summary>The example templates under <c>Examples/</c>, copied next to the tests, and inputs to render them with.</summary>
internal static class Examples
{
    public const string AdminKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHdmXx0wHb1oS7s4uAcnF7qQ1q0eGQ9mR0Q7b8Xy3mQe admin@laptop";
    public const string CiKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 ci: deploy #1";

    public static UserDataTemplate Template(string fileName) =>
        new(fileName, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", fileName)));

    public static StaticNetwork Network => new()
    {
        Interface = "ens18",
        Address = "10.0.1.10",
        PrefixLength = 24,
        Gateway = "10.0.1.1",
        DnsServers = ["10.0.1.2", "1.1.1.1"],
    };

    /// <summary>Every setting filled in.</summary>
    public static UserDataInput Full(params UserDataTemplate[] templates) => new()
    {
        Hostname = "web1",
        Domain = "fleet.example",
        AdminUser = "ops",
        SshAuthorizedKeys = [AdminKey, CiKey],
        FlakeRef = "git+https://git.example/fleet#web1",
        ConvergeCommand = "nixos-rebuild switch --flake \"$(cat /etc/nix-flake-target)\"",
        Network = Network,
        Templates = templates,
    };
}
