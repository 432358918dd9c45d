using Xunit;

namespace Drover.Cli.Tests;

/// <summary>
/// Tests that run 'drover demo' (image build, upload, two or three QEMU/TCG boots) run one after the other: on two
/// cores, side by side they would slow each other's emulated guests past the demo's first-boot wait.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DemoCollection
{
    public const string Name = "demo";
}
