package pii

import "strings"

// common holds words that follow a name cue without being a name ("my son
// has", "I'm worried", "Thanks, The team"), and local proper nouns that are
// places or organisations, not people. Lower case.
var common = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(commonWords) {
		m[w] = true
	}
	return m
}()

const commonWords = `
a an the and or but so if as at by for from in into of on onto to up with without about above after
again against all also am any are aren't be because been before being below between both can cannot
can't could couldn't did didn't do does doesn't doing don't down during each few further had hadn't
has hasn't have haven't having he he's her here hers herself him himself his how i i'm i've is isn't
it it's its itself just me more most my myself no nor not now only other our ours ourselves out over
own same she she's should shouldn't some such than that that's their theirs them themselves then there
these they they're this those through too under until very was wasn't we we're were weren't what when
where which while who whom why will won't would wouldn't you your yours yourself really still even
already never always often sometimes currently recently finally actually absolutely totally quite
rather pretty extremely incredibly deeply
who's which whose whatever whoever

is has was goes went attends attended started starts loves loved likes liked needs needed had gets got
struggles struggled finds found cannot won't can't would could should has been will now also still
waited waiting waits uses used receives received received gets getting got having being doing going
coming came comes left leaves moved moves turned turns became becomes aged age years year months
month weeks week old older younger diagnosed awaiting awaited refused excluded transferred
is's were hates hated wants wanted tried tries does did says said told tells asked asks
who's with without
worried concerned disappointed upset frustrated angry happy grateful thankful pleased glad sorry sure
fed writing trying struggling looking hoping wondering unable able not so a an desperate exhausted
tired confused lost new parent parents mum dad mother father carer carers foster professional
teacher worker nurse student resident member volunteer grandparent grandmother grandfather
young person child children kids
ridiculous unacceptable great brilliant amazing fantastic awful terrible poor good bad fine ok okay
helpful unhelpful useful useless excellent lovely kind rude late early
everyone everybody anyone anybody someone somebody nobody none nothing something anything
all both either neither each every many much several lots lot loads
team staff service services council school schools nursery college office department unit centre
center clinic hospital surgery website site page pages link links form forms phone email number
line helpline portal directory offer information advice support help
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
today yesterday tomorrow tonight morning afternoon evening night weekend
england britain uk portsmouth southsea cosham fratton hilsea paulsgrove drayton farlington
milton eastney copnor buckland landport stamshaw tipner havant fareham gosport hampshire
southampton solent nhs sendiass ipsea camhs send senco ehcp ehc ehcps la
please hi hello dear yes no thanks thank cheers regards best wishes kind many
`
