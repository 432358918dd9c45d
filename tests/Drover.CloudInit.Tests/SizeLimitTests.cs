using Shouldly;
using Xunit;

namespace Drover.CloudInit.Tests;

public class SizeLimitTests
{
    private static UserDataInput WithPayload(int payloadBytes) => Examples.Full(new UserDataTemplate("big.sh", "#!/bin/sh\n# ${PAYLOAD}\n")) with
    {
        Variables = new Dictionary<string, string> { ["PAYLOAD"] = new string('x', payloadBytes) },
    };

    [Fact]
    public void Exactly_32_KiB_is_allowed()
    {
        // "#!/bin/sh\n# " + payload + "\n" is 13 bytes around the payload
        var data = UserDataRenderer.Render(WithPayload(32768 - 13));

        data.Bytes.ShouldBe(32768);
    }

    [Fact]
    public void Over_32_KiB_is_an_error_with_size_and_limit()
    {
        var error = Should.Throw<UserDataException>(() => UserDataRenderer.Render(WithPayload(32768 - 12)));

        error.Message.ShouldBe("user-data is 32769 bytes, over Hetzner Cloud's limit of 32768 bytes (32 KiB)");
    }

    [Fact]
    public void The_limit_counts_utf8_bytes_and_the_multipart_envelope()
    {
        // Arrange: 11,000 three-byte characters are 33,000 bytes but only 11,000 chars
        var input = WithPayload(0) with { Variables = new Dictionary<string, string> { ["PAYLOAD"] = new string('€', 11_000) } };

        // Act / Assert
        Should.Throw<UserDataException>(() => UserDataRenderer.Render(input)).Message.ShouldContain("over Hetzner Cloud's limit");
    }
}
