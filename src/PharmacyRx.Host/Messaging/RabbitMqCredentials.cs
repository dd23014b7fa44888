using System.Net;

namespace PharmacyRx.Host.Messaging;

/// <summary>The broker credentials, from the environment or a secret file.</summary>
public sealed record RabbitMqCredentials(string UserName, string Password)
{
    public const string UserVariable = "PHARMACYRX_RABBITMQ_USERNAME";
    public const string PasswordVariable = "PHARMACYRX_RABBITMQ_PASSWORD";
    public const string PasswordFileVariable = "PHARMACYRX_RABBITMQ_PASSWORD_FILE";

    public static RabbitMqCredentials Resolve(RabbitMqOptions options, Func<string, string?> environment)
    {
        var user = environment(UserVariable);
        var password = environment(PasswordFileVariable) is { Length: > 0 } file
            ? File.ReadAllText(file).TrimEnd('\r', '\n')
            : environment(PasswordVariable);
        if (!string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(password))
        {
            return new RabbitMqCredentials(user, password);
        }
        if (IsLoopback(options.Host))
        {
            return new RabbitMqCredentials("guest", "guest");
        }
        throw new InvalidOperationException(
            $"RabbitMQ at {options.Host} needs credentials: set {UserVariable} and {PasswordVariable} (or {PasswordFileVariable})");
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
