using System.Text;

namespace Kvmspec.Model.Exploration;

/// <summary>Makes names and free text safe to embed in Mermaid diagrams (stateDiagram-v2 and
/// sequenceDiagram) without changing what a reader sees more than needed.</summary>
/// <remarks>
/// Mermaid's lexers end a label at <c>;</c> and <c>#</c> (entity codes such as <c>#59;</c>), treat
/// <c>:</c> as the start of a description, <c>{</c>/<c>}</c> and quotes as syntax in several
/// diagrams, <c>%%</c> as a comment and <c>&lt;</c> as the start of HTML. Rather than use entity
/// codes (which need the very <c>#</c> and <c>;</c> that break), <see cref="Label"/> replaces each
/// such character with a look-alike or a neutral one: <c>:=</c> with ←, <c>-&gt;</c> with →,
/// <c>: </c> with " - ", any other <c>:</c> with the fullwidth ： (so <c>STEP-ONE:extra</c> still reads
/// as a key), <c>{}</c> with <c>()</c>, <c>;</c> with <c>,</c>, <c>#</c> with the
/// fullwidth ＃ (so x86's <c>#DB</c> still reads <c>＃DB</c>), quotes with typographic ones.
/// </remarks>
public static class MermaidText
{
    /// <summary>The characters <see cref="Label"/> never emits: each has a syntactic meaning in some
    /// Mermaid diagram's label or breaks the line it is on.</summary>
    public static readonly IReadOnlyList<char> Forbidden = [':', ';', '{', '}', '#', '"', '\'', '`', '<', '>', '%', '\\', '\n', '\r', '\t'];

    /// <summary>Words a Mermaid state or participant id must not be (the lexers read them as keywords).</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "end", "state", "note", "direction", "class", "classDef", "style", "click", "as", "default",
        "participant", "actor", "loop", "alt", "else", "opt", "par", "and", "rect", "critical", "break",
        "activate", "deactivate", "title", "accTitle", "accDescr", "autonumber", "box", "over", "left", "right", "of", "links", "link",
    };

    private static readonly (string From, string To)[] Pairs =
    [
        (":=", "←"), ("<-", "←"), ("->", "→"), ("=>", "⇒"), ("<=", "≤"), (">=", "≥"), ("!=", "≠"), (": ", " - "),
    ];

    /// <summary>Free text as a Mermaid label: one line, none of <see cref="Forbidden"/>.</summary>
    public static string Label(string text)
    {
        foreach (var (from, to) in Pairs) text = text.Replace(from, to, StringComparison.Ordinal);
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
            sb.Append(c switch
            {
                ':' => "：",
                ';' => ",",
                '{' => "(",
                '}' => ")",
                '#' => "＃",
                '"' => "”",
                '\'' or '`' => "’",
                '<' => "‹",
                '>' => "›",
                '%' => "％",
                '\\' => "/",
                '\n' or '\r' or '\t' => " ",
                _ => c.ToString(),
            });
        return sb.ToString().Trim();
    }

    /// <summary>A name as a Mermaid id: letters, digits and underscores, not starting with a digit,
    /// not a keyword (prefixed with <c>s_</c> when it would be).</summary>
    public static string Id(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name) sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        var id = sb.ToString();
        return id.Length == 0 || char.IsAsciiDigit(id[0]) || Reserved.Contains(id) ? "s_" + id : id;
    }

    /// <summary>Whether <paramref name="label"/> contains none of <see cref="Forbidden"/>.</summary>
    public static bool IsSafe(string label) => label.IndexOfAny([.. Forbidden]) < 0;
}
