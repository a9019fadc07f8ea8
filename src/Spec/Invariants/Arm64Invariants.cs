using System.Collections.Immutable;

namespace Kvmspec.Spec.Invariants;

/// <summary>The catalogue of invariants over arm64 traces, with statements and sources (DESIGN.md).</summary>
public static class Arm64Invariants
{
    public static readonly Invariant StepOneInvariant = new(
        StepOne.Id,
        "A host single-step retires exactly one guest instruction, or none only when it ends at an exception vector.",
        [Sources.Thread("2017-08", "arm64: kvm: Fix single step for guest skipped instructions"),
         Sources.Thread("2018-11", "KVM: arm64: don't single-step for non-emulated faults"),
         Sources.Commit("bd7d95cafb49", "arm64: KVM: Consistently advance singlestep when emulating instructions"),
         Sources.Commit("370531d1e95b", "KVM: arm64: Clear PSTATE.SS when the Software Step state was Active-pending"),
         Sources.ArmArm("The software step state machine")],
        ["extra", "vmm-emulated", "past-vector", "none"],
        StepOne.Start,
        "",
        StepOne.StartStepLog);

    public static readonly Invariant ExitSyndromeInvariant = new(
        ExitSyndrome.Id,
        "A debug exit reports the genuine architectural syndrome: the exception class of what happened, and for a step IL=1, IFSC=0x22 and ISV=1 only if an instruction was stepped.",
        [Sources.ArmArm("ISS encoding for an exception from a Software Step exception"),
         Sources.Code("arch/arm64/kvm/debug.c", "kvm_arm_handle_step_debug() (v4.15-v4.20) faked hsr = EC only"),
         Sources.Code("arch/arm64/kvm/handle_exit.c", "kvm_handle_guest_debug() reports ESR_EL2 as hsr/hsr_high"),
         Sources.Thread("2017-08", "arm64: kvm: Fix single step for guest skipped instructions")],
        ["synthetic", "isv", "ec"],
        ExitSyndrome.Start,
        "records no exit syndromes");

    public static readonly Invariant NoLeakInvariant = new(
        NoLeak.Id,
        "The host's step state (SS) never appears in guest-visible or VMM-visible guest state; a violation names its path.",
        [Sources.Commit("34fbdee086cf", "KVM: arm64: Preserve PSTATE.SS for the guest while single-step is enabled"),
         Sources.Commit("4ad3a0b87f2e", "KVM: arm64: Don't hijack guest context MDSCR_EL1"),
         Sources.Thread("2018-11", "KVM: arm64: don't single-step for non-emulated faults (\"a debugger shouldn't silently corrupt guest state\")"),
         Sources.ArmArm("Exception entry (SPSR_ELx.SS)")],
        ["userspace", "sysreg", "frame"],
        NoLeak.Start,
        "",
        NoLeak.StartStepLog);

    public static readonly Invariant PcOnceInvariant = new(
        PcOnce.Id,
        "An emulated instruction advances the PC exactly once, by its length, after its effects; never for an aborted or undecodable access.",
        [Sources.Thread("2018-11", "KVM: arm64: don't single-step for non-emulated faults (PC advanced at decode)"),
         Sources.Thread("2019-09", "KVM: arm/arm64: inject data abort if instruction cannot be decoded"),
         Sources.Commit("e735a5da6442", "KVM: arm64: Don't retire aborted MMIO instruction"),
         Sources.Api("KVM_EXIT_ARM_NISV")],
        ["early", "aborted", "skipped"],
        PcOnce.Start,
        "records no MMIO exits, completions or aborts");

    public static readonly Invariant ReentryCompletesInvariant = new(
        ReentryCompletes.Id,
        "An exit that needs completion is completed exactly once on the next KVM_RUN, before any guest instruction and before immediate_exit is honoured.",
        [Sources.Api("KVM_RUN (completion of KVM_EXIT_MMIO on re-entry)"),
         Sources.Thread("2017-08", "arm64: kvm: Fix single step for guest skipped instructions (MMIO completion)")],
        ["late", "twice"],
        ReentryCompletes.Start,
        "records no KVM_RUN calls or completions");

    public static readonly Invariant ExitConsistentInvariant = new(
        ExitConsistent.Id,
        "After any return from KVM_RUN no hidden PC or exception adjustment is pending.",
        [Sources.Commit("26778aaa134a", "KVM: arm64: Commit pending PC adjustemnts before returning to userspace"),
         Sources.Commit("e3e880bb1518", "KVM: arm64: Resolve all pending PC updates before immediate exit")],
        ["pc", "pending"],
        ExitConsistent.Start,
        "records no KVM_RUN returns or userspace register reads");

    public static readonly Invariant OsLockBlocksInvariant = new(
        OsLockBlocks.Id,
        "While the guest's OS Lock is set, no breakpoint, watchpoint or software-step exception reaches the guest, BRK still does, and OSLSR_EL1.OSLK reads back what the guest set.",
        [Sources.ArmArm("OSLSR_EL1, OSLAR_EL1; AArch64.GenerateDebugExceptionsFrom (the OS Lock gate); BRK is not affected"),
         Sources.Commit("7dabf02f43a1", "KVM: arm64: Emulate the OS Lock"),
         Sources.Thread("2021-11", "Re: [PATCH v2 4/6] KVM: arm64: Emulate the OS Lock"),
         Sources.Selftest("tools/testing/selftests/kvm/arm64/debug-exceptions.c", "os-lock subtests (05c9324de169)")],
        ["debug-exception", "brk", "status"],
        OsLockBlocks.Start,
        "records no OS Lock accesses or guest exceptions with syndromes");

    public static readonly Invariant OsLockHostWinsInvariant = new(
        OsLockHostWins.Id,
        "The guest's OS Lock never blocks the host's own debugging: each guest entry under KVM_GUESTDBG_SINGLESTEP retires at most one instruction before the step exit, and a KVM_GUESTDBG_USE_HW breakpoint still fires.",
        [Sources.Commit("7dabf02f43a1", "KVM: arm64: Emulate the OS Lock (\"host debug exceptions are unaffected by guest configuration of the OS Lock\")"),
         Sources.Thread("2021-11", "[PATCH v2 4/6] KVM: arm64: Emulate the OS Lock (\"effects are not constrained to the guest context\")"),
         Sources.ArmArm("AArch64.GenerateDebugExceptionsFrom: the OS Lock disables debug exceptions at every Exception level")],
        ["step", "breakpoint"],
        OsLockHostWins.Start,
        "records no guest entries");

    public static readonly Invariant MigratePreservesInvariant = new(
        MigratePreserves.Id,
        "Save/restore through KVM_GET_REG_LIST, KVM_GET_ONE_REG and KVM_SET_ONE_REG preserves the guest's state, including registers the source's list did not carry.",
        [Sources.Api("KVM_GET_REG_LIST, KVM_GET_ONE_REG, KVM_SET_ONE_REG"),
         Sources.Thread("2021-11", "Re: [PATCH v2 4/6] KVM: arm64: Emulate the OS Lock (older KVM does not list OSLSR_EL1; a reset value of 1 would block debug until reboot)"),
         Sources.Commit("34fbdee086cf", "KVM: arm64: Preserve PSTATE.SS for the guest while single-step is enabled")],
        ["register", "guest-view"],
        MigratePreserves.Start,
        "records no save/restore");

    public static readonly Invariant GuestStepInvariant = new(
        GuestStep.Id,
        "A guest single-stepping itself, while the host does not debug it, takes a software-step exception after exactly one instruction, and before any instruction when stepping becomes active with PSTATE.SS = 0.",
        [Sources.ArmArm("The software step state machine; SSAdvance, CheckSoftwareStep, DebugExceptionReturnSS"),
         Sources.Commit("bd7d95cafb49", "arm64: KVM: Consistently advance singlestep when emulating instructions"),
         Sources.Selftest("tools/testing/selftests/kvm/arm64/debug-exceptions.c", "single-step subtest (ss_start, +4, +8)")],
        ["missed"],
        GuestStep.Start,
        "records no guest debug state");

    public static readonly Invariant TransparentInvariant = new(
        Transparent.Id,
        "Host debugging changes nothing the guest computes: the guest's own BRK, breakpoints and software step still reach the guest while the host debugs.",
        [Sources.Thread("2018-11", "KVM: arm64: don't single-step for non-emulated faults (host- and guest-directed step \"don't compose\")"),
         Sources.Thread("2021-11", "Re: [PATCH v2 4/6] KVM: arm64: Emulate the OS Lock (Ricardo Koller: the VMM must re-inject what it does not handle)"),
         Sources.Api("KVM_SET_GUEST_DEBUG (arm64 has no way to re-inject a debug exception)")],
        ["diverted", "suppressed"],
        Transparent.Start,
        "records no debug exits or guest debug configuration");

    public static readonly ImmutableArray<Invariant> All =
        [StepOneInvariant, ExitSyndromeInvariant, NoLeakInvariant, PcOnceInvariant, ReentryCompletesInvariant, ExitConsistentInvariant,
         OsLockBlocksInvariant, OsLockHostWinsInvariant, MigratePreservesInvariant, GuestStepInvariant, TransparentInvariant];

    public static Invariant? Find(string id) => All.FirstOrDefault(i => i.Id == id);
}
