using System.Globalization;
using Kvmspec.Spec.Arm64;

namespace Kvmspec.Spec.Invariants;

/// <summary>What a step-log record's instruction tells about where a single step may end: whether it
/// can change control flow, and its target when the record names one.</summary>
/// <remarks>
/// <c>ControlFlow</c>: Whether the instruction may move the PC anywhere but past itself: a branch, a return, ERET, or an exception-generating instruction (SVC, HVC, SMC, BRK, HLT, UDF).
/// <c>Target</c>: The branch target when the disassembly names it as a number (<c>b 0x1010</c>, <c>cbz x0, 0x1010</c>, <c>b.ne 0x1010</c>).
/// </remarks>
public readonly record struct StepLogInstruction(bool ControlFlow, ulong? Target)
{
    // Arm A64 mnemonics that may end a step anywhere but at PC + 4 (Arm ARM C3.1 "Branches,
    // Exception generating, and System instructions"): branches, returns and exception generation.
    private static readonly HashSet<string> ControlFlowMnemonics = new(StringComparer.OrdinalIgnoreCase)
    {
        "b", "bl", "br", "blr", "ret", "braa", "brab", "braaz", "brabz", "blraa", "blrab", "blraaz", "blrabz",
        "retaa", "retab", "cbz", "cbnz", "tbz", "tbnz", "eret", "eretaa", "eretab",
        "svc", "hvc", "smc", "brk", "hlt", "udf", "dcps1", "dcps2", "dcps3", "drps",
    };

    /// <summary>Classifies a record's <c>insn</c>: a model instruction kind name or a disassembly.</summary>
    public static StepLogInstruction Classify(string insn)
    {
        var text = insn.Trim();
        if (Enum.TryParse<InstructionKind>(text, ignoreCase: false, out var kind))
            return new(kind is InstructionKind.Branch or InstructionKind.Eret or InstructionKind.Svc or InstructionKind.Hvc or InstructionKind.Brk, null);
        int sp = text.IndexOfAny([' ', '\t']);
        string mnemonic = sp < 0 ? text : text[..sp];
        bool cond = mnemonic.StartsWith("b.", StringComparison.OrdinalIgnoreCase) || mnemonic.StartsWith("bc.", StringComparison.OrdinalIgnoreCase);
        if (!cond && !ControlFlowMnemonics.Contains(mnemonic)) return new(false, null);
        // The target is the last operand when it is an address: gdb prints "b 0x1010 <label>", objdump
        // "b 1010 <label>" (bare hex).
        var operands = sp < 0 ? "" : text[(sp + 1)..];
        int angle = operands.IndexOf('<');
        if (angle >= 0) operands = operands[..angle];
        var last = operands.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        bool directBranch = cond || mnemonic.ToLowerInvariant() is "b" or "bl" or "cbz" or "cbnz" or "tbz" or "tbnz";
        return new(true, directBranch && last is not null && TryAddress(last.TrimStart('#'), out var a) ? a : null);
    }

    private static bool TryAddress(string s, out ulong value) =>
        s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
