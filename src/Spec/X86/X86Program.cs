using System.Collections.Immutable;

namespace Kvmspec.Spec.X86;

/// <summary>An x86 guest program: a body of instructions laid out from <see cref="Base"/>, a
/// self-loop after it, and the guest kernel's handlers: every IDT vector's handler is one IRETQ,
/// and the SYSCALL entry (IA32_LSTAR) is one SYSRETQ; IA32_FMASK masks TF and IF, as Linux's
/// syscall_init() does.</summary>
public sealed record X86Program(ImmutableArray<X86Instruction> Body)
{
    public const ulong Base = 0x1000;
    public const ulong IdtBase = 0x8000;
    public const ulong Lstar = 0x9000;
    /// <summary>IA32_FMASK: the RFLAGS bits SYSCALL clears (Linux masks TF, IF and more).</summary>
    public const ulong Fmask = Rflags.TF | Rflags.IF;
    /// <summary>The vector of the guest's external interrupt (an arbitrary device vector).</summary>
    public const byte IrqVector = 0x20;
    public const byte DbVector = 1, BpVector = 3;
    /// <summary>The guest variable a data breakpoint watches (the selftest's guest_value).</summary>
    public const ulong DataAddr = 0x6000;

    public static X86Program Of(params X86Instruction[] body) => new([.. body]);

    public static ulong HandlerOf(byte vector) => IdtBase + (ulong)vector * 0x10;

    public static bool IsHandler(ulong pc) => pc >= IdtBase && pc < IdtBase + 0x1000 && (pc - IdtBase) % 0x10 == 0;

    public ulong AddressOf(int i)
    {
        ulong a = Base;
        for (int k = 0; k < i && k < Body.Length; k++) a += (ulong)Body[k].Length;
        return a;
    }

    /// <summary>Where the body ends: the self-loop <c>jmp .</c>.</summary>
    public ulong End => AddressOf(Body.Length);

    public int IndexOf(ulong pc)
    {
        ulong a = Base;
        for (int k = 0; k < Body.Length; k++)
        {
            if (a == pc) return k;
            a += (ulong)Body[k].Length;
        }
        return -1;
    }

    private static readonly X86Instruction HandlerIret = new(X86InstructionKind.Iret);
    private static readonly X86Instruction LstarSysret = new(X86InstructionKind.Sysret);
    /// <summary>The self-loop after the body, a 2-byte <c>jmp .</c> (an ordinary instruction that does not move RIP).</summary>
    public static readonly X86Instruction Loop = new(X86InstructionKind.Nop);

    /// <summary>The instruction at <paramref name="pc"/>: the body, a handler, or the self-loop (null
    /// anywhere else).</summary>
    public X86Instruction? At(ulong pc)
    {
        int i = IndexOf(pc);
        if (i >= 0) return Body[i];
        if (IsHandler(pc)) return HandlerIret;
        if (pc == Lstar) return LstarSysret;
        if (pc == End) return Loop;
        return null;
    }

    public override string ToString() => string.Join("; ", Body.Select(b => b.Text));

    public bool Equals(X86Program? o) => o is not null && Body.SequenceEqual(o.Body);
    public override int GetHashCode() => Body.Aggregate(17, (h, x) => HashCode.Combine(h, x));
}
