using System.Reflection;
using Shouldly;
using Xunit;

namespace Drover.Proxmox.Tests;

/// <summary>The client's public surface follows the house rules (checked by reflection).</summary>
public sealed class ConventionTests
{
    private static readonly Assembly _subject = typeof(ProxmoxClient).Assembly;

    public static TheoryData<string> ClientTypes()
        => [.. _subject.GetExportedTypes().Where(t => t.IsClass && t.Name.EndsWith("Client", StringComparison.Ordinal) && t != typeof(ProxmoxClient)).Select(t => t.FullName!)];

    [Theory]
    [MemberData(nameof(ClientTypes))]
    public void Every_resource_client_has_a_test_class(string clientType)
    {
        // Arrange
        var expected = _subject.GetType(clientType, throwOnError: true)!.Name + "Tests";

        // Act
        var testClass = typeof(ConventionTests).Assembly.GetTypes().SingleOrDefault(t => t.Name == expected);

        // Assert
        testClass.ShouldNotBeNull($"{clientType} needs a test class named {expected}");
    }

    [Fact]
    public void Every_public_async_method_ends_in_Async_and_takes_a_defaulted_CancellationToken_last()
    {
        // Arrange
        var asyncMethods = _subject.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && (m.ReturnType == typeof(Task) || (m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))))
            .ToList();

        // Act
        var offenders = asyncMethods
            .Where(m => !m.Name.EndsWith("Async", StringComparison.Ordinal)
                        || m.GetParameters() is not [.., { Name: "cancellationToken", HasDefaultValue: true } last] || last.ParameterType != typeof(CancellationToken))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();

        // Assert
        asyncMethods.Count.ShouldBeGreaterThan(25);
        offenders.ShouldBeEmpty();
    }
}
