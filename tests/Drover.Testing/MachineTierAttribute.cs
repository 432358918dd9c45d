using Xunit.v3;

namespace Drover.Testing;

/// <summary>
/// Puts a test class (or one test method) in the machine tier: the trait <c>Tier=machine</c>. Machine tests need what
/// only a prepared host has (root, network namespaces, loop devices, QEMU boots, mmdebstrap, a published agent) and
/// take minutes; everything without this attribute is the fast tier. <c>bash scripts/test --fast</c> runs the fast tier
/// only (<c>dotnet test --filter "Tier!=machine"</c>). A machine test still skips, with the reason, where the host
/// lacks what it needs.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class MachineTierAttribute : Attribute, ITraitAttribute
{
    /// <summary>The trait's name.</summary>
    public const string Trait = "Tier";

    /// <summary>The trait's value for machine tests.</summary>
    public const string Machine = "machine";

    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() => [new(Trait, Machine)];
}
