using System.Text;

namespace PharmacyRx.Host.Keys;

/// <summary>
/// Where the key password comes from: the environment variable <see cref="VariableName"/>, or the secret file named by
/// <see cref="FileVariableName"/> (preferred: a file's bytes are cleared after reading, an environment string cannot
/// be). Never the command line or configuration, which end up in shell history, process lists and repositories.
/// </summary>
public static class KeyPasswordSource
{
    public const string VariableName = "PHARMACYRX_KEY_PASSWORD";
    public const string FileVariableName = "PHARMACYRX_KEY_PASSWORD_FILE";

    /// <summary>
    /// Returns the password as a char array the caller must clear, or null with <paramref name="problem"/> set.
    /// </summary>
    public static char[]? Read(Func<string, string?> environment, out string problem)
    {
        problem = "";
        if (environment(FileVariableName) is { Length: > 0 } file)
        {
            if (!File.Exists(file))
            {
                problem = $"{FileVariableName} names {file}, which does not exist";
                return null;
            }
            var bytes = File.ReadAllBytes(file);
            try
            {
                var length = bytes.Length;
                while (length > 0 && bytes[length - 1] is (byte)'\n' or (byte)'\r')
                {
                    length--;
                }
                var password = new char[Encoding.UTF8.GetCharCount(bytes, 0, length)];
                Encoding.UTF8.GetChars(bytes, 0, length, password, 0);
                return Checked(password, out problem);
            }
            finally
            {
                Array.Clear(bytes);
            }
        }
        if (environment(VariableName) is { Length: > 0 } value)
        {
            return Checked(value.ToCharArray(), out problem);
        }
        problem = $"set {VariableName}, or {FileVariableName} to a file holding the key password";
        return null;
    }

    private static char[]? Checked(char[] password, out string problem)
    {
        if (password.Length >= 12)
        {
            problem = "";
            return password;
        }
        Array.Clear(password);
        problem = "the key password must be at least 12 characters";
        return null;
    }
}
