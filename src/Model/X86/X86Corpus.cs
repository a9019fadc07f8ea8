using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Model.X86;

/// <summary>The x86 regression corpus: scripts for the corners the threads and commits describe,
/// run against every x86 variant; the verdicts come from each variant's model, never from here.</summary>
public static class X86Corpus
{
    private static Action Do(TraceEvent e) => Action.Of(e);
    private static readonly Action RunIt = Do(new Run());
    private static readonly Action Irq = Do(new InterruptPending(IrqTarget.Guest));
    private static readonly Action GetRegs = Do(new GetRegs(0, 0));
    private static X86Instruction I(X86InstructionKind k) => new(k);
    private static X86Instruction Forced(X86InstructionKind k) => new(k, Forced: true);
    private static readonly X86Instruction PopfTf = new(X86InstructionKind.Popf, Rflags.Fixed | Rflags.IF | Rflags.TF);
    private static readonly X86Instruction Nop = I(X86InstructionKind.Nop);

    /// <summary>One corpus entry: its name, what it exercises, and the script (the VMM's BLOCKIRQ
    /// habit of the variant is applied to its KVM_SET_GUEST_DEBUG calls).</summary>
    public sealed record Entry(string Name, string Exercises, Func<X86Variant, X86Script> Script);

    private static Entry E(string name, string exercises, X86Instruction[] body, params Func<X86Variant, Action>[] actions) =>
        new(name, exercises, v => new X86Script(X86Program.Of(body), [.. actions.Select(a => a(v))]));

    private static Func<X86Variant, Action> A(Action a) => _ => a;
    private static Func<X86Variant, Action> Dbg(X86GuestDebug control, ulong dr7 = X86SetGuestDebug.Dr7Reset, ulong dr0 = 0) =>
        v => Do(new X86SetGuestDebug(v.VmmControl(control, sometimes: () => false), dr7, dr0));
    private const X86GuestDebug Step = X86GuestDebug.KVM_GUESTDBG_ENABLE | X86GuestDebug.KVM_GUESTDBG_SINGLESTEP;
    private const X86GuestDebug HwBp = X86GuestDebug.KVM_GUESTDBG_ENABLE | X86GuestDebug.KVM_GUESTDBG_USE_HW_BP;
    private static readonly Func<X86Variant, Action> R = A(RunIt), Q = A(Irq), G = A(GetRegs);

    public static readonly IReadOnlyList<Entry> All =
    [
        E("step-cpuid", "kvm_emulate_cpuid → kvm_skip_emulated_instruction → kvm_vcpu_do_singlestep", [I(X86InstructionKind.Cpuid), Nop, Nop], Dbg(Step), R, R),
        E("step-mmio", "emulator MMIO exit, complete_emulated_mmio, the writeback's step", [I(X86InstructionKind.MmioLoad), Nop, Nop], Dbg(Step), R, A(Do(new CompleteMmio(7))), R, R),
        E("step-out", "kvm_fast_pio exit, complete_fast_pio_out, the skip's step", [I(X86InstructionKind.Out), Nop], Dbg(Step), R, R, R),
        E("step-irq-every-entry", "the 2021 livelock: an interrupt pending before every entry while stepping", [Nop, Nop],
            Dbg(Step), Q, R, Dbg(Step), Q, R, Dbg(Step), Q, R, Dbg(Step), Q, R),
        E("step-pushf", "native PUSHF under host TF", [I(X86InstructionKind.Pushf), Nop], Dbg(Step), R),
        E("step-syscall", "native SYSCALL under host TF: R11 and IA32_FMASK", [I(X86InstructionKind.Syscall), Nop, Nop], Dbg(Step), R),
        E("step-getregs", "KVM_GET_REGS while stepping", [Nop, Nop], Dbg(Step), G, R, G),
        E("step-int3", "INT3 delivered to the guest under host TF", [I(X86InstructionKind.Int3), Nop], Dbg(Step), R, Dbg(Step), R),
        E("guest-tf-cpuid", "the guest's own TF across an instruction KVM emulates", [PopfTf, I(X86InstructionKind.Cpuid), Nop, Nop], R),
        E("guest-tf-host-steps", "the guest's own TF while the host steps, then the host stops", [PopfTf, Nop, Nop, Nop], Dbg(Step), R, Dbg(Step), R, Dbg(X86GuestDebug.None), R),
        E("emulated-movss-step", "x86_emulate_instruction of MOV SS under a step", [Forced(X86InstructionKind.MovSs), Nop, Nop], Dbg(Step), R),
        E("guest-tf-emulated-movss", "the guest's own TF over an emulated MOV SS (the emulator's step ignores the shadow)", [PopfTf, Forced(X86InstructionKind.MovSs), Nop, Nop], R),
        E("movss-step", "native MOV SS under a step: the trap is deferred", [I(X86InstructionKind.MovSs), Nop, Nop], Dbg(Step), R),
        E("emulated-sti-irq", "an emulated STI with an interrupt pending: the STI shadow", [I(X86InstructionKind.Cli), Forced(X86InstructionKind.Sti), Nop, Nop], R, A(Action.Ticks(2)), Q),
        E("blockirq-irq", "KVM_GUESTDBG_BLOCKIRQ with an interrupt pending", [Nop, Nop], v => Do(new X86SetGuestDebug(X86GuestDebug.KVM_GUESTDBG_ENABLE | X86GuestDebug.KVM_GUESTDBG_BLOCKIRQ)), Q, R),
        E("hwbp-icebp", "ICEBP while the host uses hardware breakpoints", [I(X86InstructionKind.Icebp), Nop], Dbg(HwBp, Dr7.Fixed), R),
        E("hwbp-guest-tf", "the guest's own TF while the host uses hardware breakpoints", [PopfTf, Nop, Nop], Dbg(HwBp, Dr7.Fixed), R),
        E("step-hlt", "kvm_emulate_halt under a step", [I(X86InstructionKind.Hlt), Nop], Dbg(Step), R, Q, R),
    ];
}
