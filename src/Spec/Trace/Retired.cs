namespace Kvmspec.Spec.Trace;

/// <summary>Observation: a guest instruction completed: its effects are done and the PC moved
/// from <see cref="Pc"/> to <see cref="NextPc"/>.</summary>
/// <remarks><see cref="Completion"/> marks the retirement that completes an access which exited to
/// userspace (KVM_EXIT_MMIO on re-entry, or the VMM's own emulation after KVM_EXIT_ARM_NISV);
/// <see cref="Data"/> is the value written to Rt by a load.</remarks>
public sealed record Retired(ulong Pc, ulong NextPc, RetiredBy By, string Insn, bool Completion = false, ulong? Data = null) : TraceEvent
{
    public override Lane Lane => By switch { RetiredBy.Hardware => Lane.Guest, RetiredBy.Kvm => Lane.Kvm, _ => Lane.Vmm };
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "retired";

    /// <summary>The first word of <see cref="Insn"/>, lower case: the mnemonic the invariants look at
    /// (<c>eret</c>, <c>brk</c>); the rest of the text is the producer's.</summary>
    public string Mnemonic
    {
        get
        {
            var t = Insn.AsSpan().Trim();
            int sp = t.IndexOfAny(' ', '\t');
            return (sp < 0 ? t : t[..sp]).ToString().ToLowerInvariant();
        }
    }
    public override string Describe() =>
        $"retired 0x{Pc:X} {Insn} -> 0x{NextPc:X} by {By}{(Completion ? " (completion)" : "")}{(Data is { } d ? $" Rt=0x{d:X}" : "")}";
}
