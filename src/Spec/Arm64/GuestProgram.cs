using System.Collections.Immutable;

namespace Kvmspec.Spec.Arm64;

/// <summary>A guest program: a straight-line body that loops back to its start, and the guest's
/// own EL1 exception handlers.</summary>
/// <remarks>
/// Layout: the body starts at <see cref="Base"/>, one instruction every 4 bytes, and is followed by
/// a branch back to <see cref="Base"/>. VBAR_EL1 is <see cref="Vbar"/>; the synchronous vector
/// (current EL, SP_ELx) holds [HandlerSkipIfFault, ERET], the IRQ and SError vectors [HandlerAck, ERET].
/// MMIO accesses go to <see cref="MmioAddr"/>, which no memslot backs (as in the selftests).
/// SIMPLIFICATION: the guest runs at EL1 only and its handlers are fixed.
/// </remarks>
public sealed record GuestProgram(ImmutableArray<Instruction> Body)
{
    public const ulong Base = 0x1000;
    public const ulong Vbar = 0x8000;
    public const ulong MmioAddr = 0x0800_0000;
    public const ulong RamAddr = 0x4000_0000;

    /// <summary>The address just after the body, where the branch back to <see cref="Base"/> sits.</summary>
    public ulong LoopBranch => Base + (ulong)Body.Length * Instruction.Length;

    /// <summary>The instruction at <paramref name="pc"/>, or null if nothing is mapped there.</summary>
    public Instruction? At(ulong pc)
    {
        if (pc >= Base && pc < LoopBranch && (pc - Base) % Instruction.Length == 0)
            return Body[(int)((pc - Base) / Instruction.Length)];
        if (pc == LoopBranch) return new Instruction(InstructionKind.Branch, Base);
        return (pc - Vbar) switch
        {
            VectorOffset.CurrentSpxSync => new Instruction(InstructionKind.HandlerSkipIfFault),
            VectorOffset.CurrentSpxIrq or VectorOffset.CurrentSpxSError => new Instruction(InstructionKind.HandlerAck),
            VectorOffset.CurrentSpxSync + 4 or VectorOffset.CurrentSpxIrq + 4 or VectorOffset.CurrentSpxSError + 4
                => new Instruction(InstructionKind.Eret),
            _ => null,
        };
    }

    /// <summary>The body index of <paramref name="pc"/>, or -1 outside the body.</summary>
    public int IndexOf(ulong pc) =>
        pc >= Base && pc < LoopBranch && (pc - Base) % Instruction.Length == 0 ? (int)((pc - Base) / Instruction.Length) : -1;

    /// <summary>Whether <paramref name="pc"/> is the first instruction of one of the guest's vectors.</summary>
    public static bool IsVector(ulong pc) =>
        pc == Vbar + VectorOffset.CurrentSpxSync || pc == Vbar + VectorOffset.CurrentSpxIrq || pc == Vbar + VectorOffset.CurrentSpxSError;

    /// <summary>The address of the instruction at <paramref name="index"/> of a body.</summary>
    public static ulong AddressOf(int index) => Base + (ulong)index * Instruction.Length;

    public static GuestProgram Of(params Instruction[] body) => new(ImmutableArray.Create(body));

    public bool Equals(GuestProgram? other) => other is not null && Body.SequenceEqual(other.Body);

    public override int GetHashCode() => Body.Aggregate(17, (h, i) => h * 31 + i.GetHashCode());

    public override string ToString() =>
        string.Join("; ", Body.Select((ins, i) => $"0x{Base + (ulong)i * 4:X}: {ins.Mnemonic}"));
}
