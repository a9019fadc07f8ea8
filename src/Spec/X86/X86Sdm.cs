namespace Kvmspec.Spec.X86;

/// <summary>The Intel SDM rules for single-step, event delivery and the interrupt shadows that the
/// model and the invariants share: the reference semantics, not KVM's.</summary>
/// <remarks>
/// Sources: Intel SDM Vol. 3 §18.3.1.4 "Single-Step Exception Condition" (a trap after an instruction
/// that began with TF=1; none after the instruction that sets TF; POPF that clears TF still traps);
/// §6.8.3 "Masking Exceptions and Interrupts When Switching Stacks" (MOV SS / POP SS inhibit
/// interrupts, debug exceptions and single-step traps until after the next instruction); STI
/// (maskable interrupts inhibited for one instruction when STI sets IF); §6.12.1 (interrupt and
/// exception delivery pushes RFLAGS, then clears TF, RF, and IF for an interrupt gate); SYSCALL
/// (R11 := RFLAGS, then RFLAGS &amp;= ~IA32_FMASK; the step decision uses the masked value: XSA-204,
/// KVM c8401dda2f0a / CVE-2017-7518); PUSHF (pushes RFLAGS with RF and VM cleared, TF as is);
/// SDM Vol. 3 §25.5.2 (MTF VM exits: after each instruction, and before the first instruction
/// after VM entry when the entry injects an event; MTF is above trap-class #DB in priority).
/// Delivery of an event while TF=1 (an injected interrupt, or INT3/ICEBP) ends the step at the
/// handler's first instruction: TF is cleared for the handler, so the trap is taken there
/// (61e5f69ef083: single-stepping "land[s] the debugger into an interrupt handler").
/// </remarks>
public static class X86Sdm
{
    /// <summary>Whether a single-step trap follows an instruction that began with
    /// <paramref name="tfAtStart"/> and left <paramref name="tfAfter"/>: TF at the start decides,
    /// except for SYSCALL, where the value after IA32_FMASK decides.</summary>
    public static bool StepTrapAfter(X86InstructionKind k, bool tfAtStart, bool tfAfter) =>
        k == X86InstructionKind.Syscall ? tfAtStart && tfAfter : tfAtStart;

    /// <summary>Whether an instruction opens a shadow for the next one: MOV SS (interrupts and debug
    /// traps) unless it is itself in a MOV SS shadow (SDM: of consecutive MOV SS only the first is
    /// guaranteed to inhibit), STI only when it sets IF (maskable interrupts).</summary>
    public static Shadow ShadowAfter(X86InstructionKind k, bool ifBefore, Shadow current = Shadow.None) => k switch
    {
        X86InstructionKind.MovSs => current == Shadow.MovSs ? Shadow.None : Shadow.MovSs,
        X86InstructionKind.Sti when !ifBefore => Shadow.Sti,
        _ => Shadow.None,
    };

    /// <summary>The RFLAGS image PUSHF stores: RF and VM cleared, everything else (TF) as is.</summary>
    public static ulong PushfImage(ulong rflags) => rflags & ~(Rflags.RF | Rflags.VM);

    /// <summary>The RFLAGS a handler starts with: TF and RF cleared, IF cleared for interrupt gates
    /// (every gate in the model is an interrupt gate).</summary>
    public static ulong HandlerRflags(ulong rflags) => rflags & ~(Rflags.TF | Rflags.RF | Rflags.IF);

    /// <summary>The RFLAGS image event delivery pushes: as is, with RF set for a fault-class
    /// exception (the instruction will be re-executed).</summary>
    public static ulong FrameImage(ulong rflags, bool faultClass) => faultClass ? rflags | Rflags.RF : rflags & ~Rflags.RF;

    /// <summary>SYSCALL: R11 gets RFLAGS (with RF cleared), RFLAGS is masked with IA32_FMASK.</summary>
    public static (ulong R11, ulong Rflags) Syscall(ulong rflags, ulong fmask) => (rflags & ~Rflags.RF, rflags & ~fmask & ~Rflags.RF);

    /// <summary>SYSRET: RFLAGS from R11 (RF and VM cleared, bit 1 set).</summary>
    public static ulong Sysret(ulong r11) => (r11 & ~(Rflags.RF | Rflags.VM)) | Rflags.Fixed;
}

/// <summary>The interrupt shadow after an instruction: none, STI (blocks maskable interrupts for
/// one instruction), MOV SS (blocks interrupts and debug exceptions, including the single-step
/// trap, for one instruction).</summary>
public enum Shadow { None, Sti, MovSs }
