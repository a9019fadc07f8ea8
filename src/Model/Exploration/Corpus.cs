using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration;

/// <summary>The regression corpus: scripts for timing-sensitive corners (an interrupt or signal at
/// one exact point of the run loop) that random scripts reach only by luck. Every variant runs
/// every entry; the verdicts come from each variant's own model, never from here.</summary>
/// <remarks>STYLE.md §6: a bug once found stays found. Each entry names the kernel path it exercises.</remarks>
public static class Corpus
{
    private static Action Do(TraceEvent e) => Action.Of(e);
    private static readonly Action Tick = Action.Tick;
    private static readonly Action Step = Do(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_SINGLESTEP));
    private static readonly Action EnableOnly = Do(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE));
    private static readonly Action RunIt = Do(new Run());
    private static readonly Action RunImmediate = Do(new Run(ImmediateExit: true));
    private static readonly Action Signal = Do(new SignalPending());
    private static readonly Action HostIrq = Do(new InterruptPending(IrqTarget.Host));
    private static readonly Action GuestIrq = Do(new InterruptPending(IrqTarget.Guest));
    private static readonly Action Nisv = Do(new EnableCap(KvmCap.KVM_CAP_ARM_NISV_TO_USER));
    private static readonly Action Abort = Do(new SetVcpuEvents(ExtDabtPending: true));
    private static readonly Action GetPc = Do(new GetOneReg(OneReg.PC, 0));
    private static readonly Action GetPstate = Do(new GetOneReg(OneReg.PSTATE, 0));

    private static Instruction I(InstructionKind k) => new(k);
    private static readonly Instruction Lock = Instruction.Msr(SysReg.OSLAR_EL1, 1);
    private static readonly Instruction ReadOslsr = Instruction.Mrs(SysReg.OSLSR_EL1);
    private static readonly Instruction SelfStep = Instruction.Msr(SysReg.MDSCR_EL1, new MDSCR_EL1(SS: true, KDE: true, MDE: false).Encode());
    private static readonly Instruction MdeKde = Instruction.Msr(SysReg.MDSCR_EL1, new MDSCR_EL1(SS: false, KDE: true, MDE: true).Encode());
    private static readonly Instruction Bcr0 = Instruction.Msr(SysReg.DBGBCR0_EL1, DBGBCR.El1(BreakpointType.AddressUnlinked).Encode());
    private static Instruction Bvr0(int index) => Instruction.Msr(SysReg.DBGBVR0_EL1, GuestProgram.AddressOf(index));
    private static Action HwBp(int index) => Do(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_USE_HW, GuestProgram.AddressOf(index)));
    private static readonly Action Migrate = new MigrateAction();
    private static readonly Action MigrateFromOlder = new MigrateAction(FromOlder: true);
    private static CorpusEntry E(string name, string exercises, Instruction[] body, params Action[] actions) =>
        new(name, exercises, new Script(new GuestProgram([.. body]), [.. actions]));

    public static readonly ImmutableArray<CorpusEntry> All =
    [
        E("emulated-sysreg-step", "kvm_skip_instr + kvm_arm_setup_debug ordering over a trapped DBGBVR0_EL1 write (2017 \"SS did 2 insns\")",
          [I(InstructionKind.MsrDbgbvr), I(InstructionKind.Nop)], Step, RunIt, RunIt, GetPc, GetPstate),
        E("hvc-step", "HVC advances the step state in hardware; does the next entry re-arm SS?",
          [I(InstructionKind.Hvc), I(InstructionKind.Nop)], Step, RunIt, RunIt),
        E("stage2-fault-step", "a stage-2 fault that only maps memory (kvm_handle_guest_abort) under host step",
          [new Instruction(InstructionKind.LoadRam, Stage2Fault: true), I(InstructionKind.Nop)], Step, RunIt, RunIt),
        E("mmio-step", "KVM_EXIT_MMIO, completion on re-entry, then the step (api.rst completion note)",
          [I(InstructionKind.MmioLoadUser), I(InstructionKind.Nop)], Step, RunIt, GetPc, Do(new CompleteMmio(0x42)), RunIt, GetPc, RunIt),
        E("mmio-immediate-exit", "completion with immediate_exit, then KVM_RUN again (2113c5f62b74, 26778aaa134a, e3e880bb1518)",
          [I(InstructionKind.MmioStoreUser), I(InstructionKind.Nop)], Step, RunIt, RunImmediate, GetPc, RunIt, RunIt),
        E("host-irq-active-pending", "a host IRQ after the instruction completed, before the step exception (v6.1 cover letter)",
          [I(InstructionKind.Nop), I(InstructionKind.Nop), I(InstructionKind.Nop)], Step, RunIt, Tick, Tick, HostIrq, RunIt),
        E("guest-irq-then-host-irq-at-vector", "a guest IRQ taken under step, then a host IRQ in the active-pending window at the vector",
          [I(InstructionKind.Nop), I(InstructionKind.Nop)], Step, GuestIrq, RunIt, Tick, Tick, HostIrq, RunIt),
        E("signal-after-trapped-debug-write", "commit-on-exit path after a trapped debug-register write, then a native MRS MDSCR_EL1 (dossier OQ6)",
          [I(InstructionKind.MsrDbgbvr), I(InstructionKind.MrsMdscr)], Step, RunIt, Tick, Tick, Tick, Signal, RunIt, RunIt),
        E("signal-after-emulation-then-step", "a PC increment hidden at a return (v5.11-v5.12) meets a newly enabled step",
          [I(InstructionKind.MrsMdscr), I(InstructionKind.Nop)], RunIt, Tick, Tick, Tick, Signal, RunIt, GetPc, Step, RunIt),
        E("signal-after-emulation-then-set-pc", "a PC increment hidden at a return meets a KVM_SET_ONE_REG of the PC (26778aaa134a: flags survive SET_ONE_REG)",
          [I(InstructionKind.MrsMdscr), I(InstructionKind.Nop)], RunIt, Tick, Tick, Tick, Signal, GetPc, Do(new SetOneReg(OneReg.PC, GuestProgram.Base)), RunIt),
        E("step-toggle-with-pending-step", "SINGLESTEP turned off (ENABLE kept) and on while the host step is active-pending",
          [I(InstructionKind.MmioLoadUser), I(InstructionKind.Nop)], Step, RunIt, RunImmediate, EnableOnly, Step, RunIt),
        E("step-toggle-after-host-irq", "a host IRQ in the active-pending window and a signal, then SINGLESTEP toggled",
          [I(InstructionKind.Nop), I(InstructionKind.Nop)], Step, RunIt, Tick, Tick, HostIrq, Signal, EnableOnly, Step, RunIt),
        E("nisv-vmm-emulates-under-step", "KVM_EXIT_ARM_NISV emulated by the VMM while the host steps (dossier OQ8)",
          [I(InstructionKind.MmioNoIsv), I(InstructionKind.Nop), I(InstructionKind.Nop)], Nisv, Step, RunIt, Do(new VmmEmulate()), RunIt, RunIt),
        E("mmio-abort", "ext_dabt_pending after KVM_EXIT_MMIO (LX-A64-EA-01; e735a5da6442)",
          [I(InstructionKind.MmioLoadUser), I(InstructionKind.Nop)], RunIt, Abort, RunIt, GetPc),
        E("mmio-abort-immediate-exit", "ext_dabt_pending, KVM_RUN with immediate_exit, KVM_RUN: is the aborted access completed later?",
          [I(InstructionKind.MmioLoadUser), I(InstructionKind.Nop)], RunIt, Abort, RunImmediate, RunIt, GetPc),
        E("mmio-abort-immediate-exit-under-step", "the same while the host steps: where does the step stop?",
          [I(InstructionKind.MmioLoadUser), I(InstructionKind.Nop)], Step, RunIt, Abort, RunImmediate, RunIt, RunIt),
        E("mmio-abort-under-step", "an aborted MMIO while the host steps: the step must stop at the vector",
          [I(InstructionKind.MmioLoadUser), I(InstructionKind.Nop)], Step, RunIt, Abort, RunIt, RunIt),
        E("mmio-abort-signal-under-step", "an abort committed on the way out (signal) while the host steps",
          [I(InstructionKind.MmioLoadUser), I(InstructionKind.Nop)], Step, RunIt, Abort, Signal, RunIt, RunIt, RunIt),

        // Guest-owned debug, the OS Lock and save/restore (issue 3).
        E("oslock-status", "the guest locks and reads OSLSR_EL1 back (LX-A64-DE-07; OSLAR_EL1 RAZ/WI before v5.18)",
          [Lock, ReadOslsr, I(InstructionKind.Nop)], RunIt),
        E("oslock-blocks-breakpoint", "a guest breakpoint with the OS Lock set (LX-A64-DE-08; 7dabf02f43a1)",
          [Lock, Bcr0, Bvr0(4), MdeKde, I(InstructionKind.Nop)], RunIt),
        E("oslock-brk", "a BRK with the OS Lock set must reach the guest (LX-A64-DE-07; the 2021 v2 skipped it)",
          [Lock, I(InstructionKind.Brk), I(InstructionKind.Nop)], RunIt),
        E("guest-step-over-emulated", "the guest steps itself over a trapped debug-register write (bd7d95cafb49 for the guest's own step)",
          [SelfStep, I(InstructionKind.MsrDbgbvr), I(InstructionKind.Nop), I(InstructionKind.Nop)], RunIt),
        E("oslock-host-step", "the host steps a guest that holds its OS Lock (7dabf02f43a1: host debug is unaffected)",
          [Lock, I(InstructionKind.Nop), I(InstructionKind.Nop), I(InstructionKind.Nop)], RunIt, Step, RunIt, RunIt, RunIt),
        E("oslock-host-hw-breakpoint", "a USE_HW breakpoint of the host on a guest that holds its OS Lock",
          [Lock, I(InstructionKind.Nop), I(InstructionKind.Nop), I(InstructionKind.Nop)], RunIt, HwBp(2), RunIt, RunIt),
        E("migrate-from-list-without-oslsr", "save on a KVM whose KVM_GET_REG_LIST lacks OSLSR_EL1, restore on this one (2021 thread, reset value)",
          [ReadOslsr, I(InstructionKind.Nop)], RunIt, MigrateFromOlder, RunIt),
        E("migrate-locked", "a guest that holds its OS Lock is saved and restored (same release)",
          [Lock, ReadOslsr, I(InstructionKind.Nop)], RunIt, Migrate, RunIt),
        E("guest-breakpoint-under-host-step", "the guest's own breakpoint while the host steps (host- and guest-directed debug \"don't compose\")",
          [Bcr0, Bvr0(4), MdeKde, I(InstructionKind.Nop), I(InstructionKind.Nop)], Step, RunIt, RunIt, RunIt, RunIt, RunIt, RunIt),
        E("unlock-then-signal-after-trapped-debug-write", "the guest unlocks its OS Lock under host step, then the commit-on-exit corner of dossier OQ6",
          [Instruction.Msr(SysReg.OSLAR_EL1, 0), I(InstructionKind.MsrDbgbvr), I(InstructionKind.MrsMdscr)], Step, RunIt, RunIt, Tick, Tick, Signal, RunIt, RunIt),
        E("native-mdscr-write-under-host-enable", "before v6.14 TDA is clear for one entry after a trapped debug-register write: the guest's own MSR MDSCR_EL1 reaches the hardware while the host debugs",
          [SelfStep, I(InstructionKind.Nop)], EnableOnly, RunIt),
        E("native-mdscr-write-lost-under-host-debug", "before v6.14 kvm_arm_clear_debug() restores the MDSCR_EL1 saved at entry: a native guest write made while the host debugs is undone",
          [Bcr0, Bvr0(3), MdeKde, I(InstructionKind.Nop)], Do(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_USE_SW_BP)), RunIt, RunIt),
        E("unlock-then-native-mdscr-write-under-host-enable", "the same after the guest unlocks a lock that reset locked (the loop skips the unlock)",
          [Instruction.Msr(SysReg.OSLAR_EL1, 0), SelfStep, I(InstructionKind.Nop), new Instruction(InstructionKind.Branch, GuestProgram.Base + 4)], EnableOnly, RunIt),
        E("unlock-then-native-mdscr-write-lost", "the lost native MDSCR_EL1 write after the guest unlocks a lock that reset locked",
          [Instruction.Msr(SysReg.OSLAR_EL1, 0), Bcr0, Bvr0(4), MdeKde, I(InstructionKind.Nop), new Instruction(InstructionKind.Branch, GuestProgram.Base + 4)],
          Do(new SetGuestDebug(KvmGuestDebug.KVM_GUESTDBG_ENABLE | KvmGuestDebug.KVM_GUESTDBG_USE_SW_BP)), RunIt, RunIt),
        E("native-self-step-write-lost-then-host-stops", "the guest turns its own step on with a native MSR while the host steps; the write is undone at the exit, the host stops stepping",
          [I(InstructionKind.MsrDbgbvr), SelfStep, I(InstructionKind.Nop)], Step, RunIt, RunIt, Do(new SetGuestDebug(KvmGuestDebug.None)), RunIt, RunIt),
        E("native-mdscr-write-lost-then-read-back", "the guest's native MDSCR_EL1 write is undone while the host debugs; the guest then reads back its older value",
          [I(InstructionKind.Nop), I(InstructionKind.Nop), MdeKde, Instruction.Mrs(SysReg.MDSCR_EL1), I(InstructionKind.Hvc), SelfStep], RunIt, EnableOnly, RunIt, RunIt),
        E("step-over-mmio-then-read-pstate", "an MMIO exit in the middle of a host step, then KVM_GET_ONE_REG(pstate) (34fbdee086cf)",
          [I(InstructionKind.MmioLoadUser), I(InstructionKind.Nop)], Step, RunIt, GetPstate),
        E("guest-brk-under-host-step", "the guest's own BRK while the host steps: TDE routes it to the VMM",
          [I(InstructionKind.Nop), I(InstructionKind.Brk)], Step, RunIt, RunIt),
        E("guest-step-across-host-step", "the guest steps itself, the host steps too, then stops (34fbdee086cf: the guest's PSTATE.SS)",
          [SelfStep, I(InstructionKind.Nop), I(InstructionKind.Nop), I(InstructionKind.Nop)], RunIt, Tick, Tick, Tick, Signal, Step, RunIt, RunIt, EnableOnly, Do(new SetGuestDebug(KvmGuestDebug.None)), RunIt),
    ];
}
