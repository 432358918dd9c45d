using YamlDotNet.Core;

namespace Drover.CloudInit;

/// <summary>
/// Renders a host's user-data: from the templates (placeholders substituted, see <see cref="Placeholders"/>)
/// or, without templates, one structured <c>#cloud-config</c>. Several parts become MIME multipart;
/// the result must fit Hetzner Cloud's 32 KiB limit.
/// </summary>
public static class UserDataRenderer
{
    /// <summary>Hetzner Cloud's limit on <c>user_data</c>, in bytes.</summary>
    public const int MaxBytes = 32 * 1024;

    public static RenderedUserData Render(UserDataInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (string.IsNullOrWhiteSpace(input.Hostname))
        {
            throw new UserDataException("the hostname is empty");
        }

        var values = Placeholders.ValuesFor(input);
        List<RenderedPart> parts = input.Templates.Count == 0
            ? [new RenderedPart(StructuredConfig.SourceName, ContentTypes.CloudConfig, StructuredConfig.Render(input))]
            : [.. input.Templates.Select(t => RenderTemplate(t, values))];

        var content = parts.Count == 1 ? parts[0].Content : MimeMultipart.Build(parts);
        var data = new RenderedUserData(content, parts);
        if (data.Bytes > MaxBytes)
        {
            throw new UserDataException(
                $"user-data is {data.Bytes} bytes, over Hetzner Cloud's limit of {MaxBytes} bytes (32 KiB)");
        }

        return data;
    }

    private static RenderedPart RenderTemplate(UserDataTemplate template, IReadOnlyDictionary<string, PlaceholderValue> values)
    {
        var contentType = ContentTypes.Of(template.Text)
            ?? throw new UserDataException(template.SourceName, 1, 1,
                $"unknown user-data type: the first line must start with one of {string.Join(", ", ContentTypes.Headers)}");
        var text = TemplateRenderer.Render(template, values);
        if (contentType == ContentTypes.CloudConfig)
        {
            try
            {
                YamlText.Parse(text);
            }
            catch (YamlException e)
            {
                throw new UserDataException(template.SourceName, (int)e.Start.Line, (int)e.Start.Column,
                    $"the rendered cloud-config is not valid YAML (position in the rendered text): {e.Message}", e);
            }
        }

        return new RenderedPart(template.SourceName, contentType, text);
    }
}
