/**
 * English sentence templates (syntax in ../template.ts). Slots: {name} {he} {his}
 * {him} ({He} {His} capitalised); {animal} {a_animal} {a_adj_animal}; {place}
 * {at_place}; {object} {color_object} {a_color_object}; {food}; {friend} {fhe} {fhis}
 * {fhim}.
 *
 * Rules that keep the side file honest (tests check them):
 * - every intro names the hero and the hero's animal;
 * - endings and closings carry their sentiment in keywords that
 *   `endingSentiment` knows, and open ones carry no happy or sad word;
 * - a quote holds one sentence and is followed by "said X" in lower case or ends
 *   the sentence, so `sentenceCount` sees one sentence per template;
 * - only dialogue templates contain quotes;
 * - an ending that says nobody helped starts with `~`: it is used only in stories
 *   where no friend has appeared.
 */
import type { ProblemTemplates, StoryTemplates } from '../language';

const ONE_DAY = '[One day|One morning|One afternoon|One sunny day|Then one day|One evening]';
const THEN = '[Then |So |Next, |After that, ||]';
const AT_LAST = '[At last,|In the end,|Finally,|Soon,]';
const NAMED = '[named|called]';
const SAID = '[said|called|shouted|whispered]';
const HOW = '[| kindly| quickly| with a nod| right away]';
const END = '[|In the end, |And so, ]';
const MAYBE = '[Maybe|Perhaps]';
/** The hero's first mention in a two-sentence story. */
const HERO = '[{name} the {animal}|{a_adj_animal} named {name}|{a_adj_animal} called {name}]';
const BUT = '[|But |Then |One day, ]';

const intro = [
  `[Once upon a time|Long ago|Once], there was {a_adj_animal} ${NAMED} {name}.`,
  '{name} was {a_adj_animal} who [lived|played|grew up] {at_place}.',
  `[Long ago|Once upon a time|Not long ago|Once], {at_place}, there [lived|was] {a_adj_animal} ${NAMED} {name}.`,
  '{name} the {animal} lived {at_place} with {his} [mom|dad|family|grandma|grandpa|little sister|big brother].',
  `[This is a story|Here is a story|Let me tell you a story] about {a_adj_animal} ${NAMED} {name}.`,
  `[There once was|Once there was|There was once] {a_adj_animal} ${NAMED} {name}.`,
  '{name} was {a_adj_animal} with a [big|kind|warm|good] heart.',
  '[Every day|Every morning|Each day|Every evening], {name} the {animal} [played|walked|ran|sang|danced] {at_place}.',
  `{at_place}, there [was|lived] {a_adj_animal} ${NAMED} {name}.`,
  '[Meet|Here is] {name}, {a_adj_animal} who [lived|lives] {at_place}.',
  `{name} the {animal} was [small|little|young] but very [brave|clever|quick].`,
  `[Once upon a time|Long ago|One spring|One summer|One winter|One autumn], {a_adj_animal} ${NAMED} {name} [lived|played] {at_place}.`,
  `There [was|lived|once lived] {a_adj_animal} {at_place}, and {his} name was {name}.`,
  `[In a little house|In a cozy home|In a small hut] {at_place}, there lived {a_adj_animal} ${NAMED} {name}.`,
];

const setting = [
  '{name} [liked|loved] to [play|run|sing|dance|read|paint] {at_place}.',
  '{He} had {a_color_object} that {he} [liked|cared for|played with] [very much|every day].',
  '{His} [best friend|good friend|friend] was {friend}.',
  '[Every day|Every morning|Each morning], {he} [ate|had] some {food} for [breakfast|lunch].',
  '{name} lived in a [small|little|cozy|tall] house with a [red|green|blue|yellow] door.',
  '{He} was [kind|clever|shy|brave|quiet|curious] and [funny|helpful|gentle|very polite].',
  '{name} [liked|loved] to play [hide and seek|tag|catch] with {friend}.',
  '[Every day|After school|In the afternoon], {name} went to {place} to [play|look at the clouds|pick flowers].',
  '{name} [was good at|liked] [drawing|singing|counting|jumping|running|swimming].',
  `{name} [always|often] [helped|visited|played with] {friend}.`,
  `{His} favorite [food|snack] was {food}.`,
  `{He} [liked|loved] to look at the [stars|moon|clouds|flowers] {at_place}.`,
  `[In the morning|At night|On sunny days], {name} [sang|hummed|danced] [a little song|with {friend}].`,
];

const feeling = [
  '{name} felt [worried|upset|nervous] and did not know what to do.',
  '{He} sat down and [thought|thought hard|sighed].',
  '[Poor|Little] {name} did not know what to do.',
  '{name} was [worried|upset|a little nervous], but {he} did not give up.',
  '{His} [ears|tail|head] drooped.',
  '{name} [took a deep breath|counted to ten] and [thought|made a plan].',
  `[Poor|Little] {name} [felt very worried|wanted to go home|felt small].`,
  `{name} [looked around|stood still] and [waited|thought|did not move].`,
  `{He} [felt|was] [worried|nervous|upset] and [unsure|very quiet].`,
];

const lost: ProblemTemplates = {
  introProblem: [
    `${ONE_DAY}, ${HERO} lost {his} {color_object} {at_place}.`,
    `${HERO} could not find {his} {color_object} [anywhere|at all].`,
    `[Once|One day], {name} the {animal} [lost|dropped] {his} {color_object} somewhere {at_place}.`,
  ],
  problem: [
    `${ONE_DAY}, {name} [lost|could not find] {his} {color_object}.`,
    `${ONE_DAY}, {name} looked for {his} {color_object}, but it was not [there|in its place].`,
    `But one [day|evening|morning], {his} {color_object} was [missing|nowhere to be seen|gone].`,
    `${ONE_DAY}, {he} left {his} {color_object} {at_place}, and [then|later] it was gone.`,
  ],
  attempt: [
    `${THEN}{he} looked [under the bed|behind the door|in the grass|under a big rock|in every box].`,
    `${THEN}{he} [searched|looked] {at_place} [all day|for a long time|again and again].`,
    `${THEN}{name} asked {friend} [for help|if {fhe} had seen it].`,
    `[Together they|They] looked [high and low|everywhere|behind every tree].`,
    `${THEN}{he} asked everyone {at_place} if they had seen {his} {object}.`,
  ],
  dialogue: [
    `"Where is my {object}?" [asked|cried] {name}${HOW}.`,
    '{name} asked {friend}, "Have you seen my {color_object}?"',
    `"I will help you [look|find it]," ${SAID} {friend}${HOW}.`,
    `"Let us look [together|by the old tree|near the pond|one more time]," ${SAID} {friend}${HOW}.`,
  ],
  ending: {
    happy: [
      `${AT_LAST} {name} found {his} {object} [under a leaf|behind a tree|in the grass|under the bed], and {he} [smiled|laughed|was so happy].`,
      `${END}{friend} found the {object}, and {name} was [very glad|so happy|full of joy].`,
      `${END}the {object} was [under the bed|in the garden|in a box] all along, and {name} [laughed and laughed|smiled a big smile].`,
      `[The next morning|Later that day|After a long search], {name} found the {object} and [hugged it|jumped for joy|laughed with joy].`,
    ],
    sad: [
      `${END}{name} never found {his} {object}, and {he} [cried|felt sad] [all night|for a long time].`,
      `${END}the {object} was gone forever, and {name} was [very sad|sad and lonely].`,
      '[In the end|That night], {name} went home without {his} {object}, feeling [sad|very sad].',
      `${END}the {object} was never found, and {name} [missed it|cried] [every day|for a long time].`,
    ],
    open: [
      '{name} still wonders where {his} {object} went.',
      `${MAYBE} the {object} will [turn up|come back] [one day|tomorrow|someday].`,
      'Will {name} ever find the {object}?',
      'Nobody knows where the {object} went, and {name} is still looking.',
      `[To this day|Even now], {name} [wonders|still wonders] where the {object} [went|could be].`,
    ],
  },
};

const stuck: ProblemTemplates = {
  introProblem: [
    `${HERO} climbed up a tall tree {at_place} and could not get down.`,
    `${ONE_DAY}, ${HERO} got stuck [on a high rock|up a tree|on a roof].`,
  ],
  problem: [
    `${ONE_DAY}, {name} climbed [up a tall tree|onto a high roof|up a big rock] and could not get down.`,
    `${ONE_DAY}, {name} got stuck on a [high branch|tall wall|steep rock] {at_place}.`,
    `Then {name} climbed [too high|very high|up and up] and was stuck.`,
  ],
  attempt: [
    `${THEN}{he} called for help [as loud as {he} could|again and again].`,
    `{friend} [ran|came|hurried] to see what was wrong.`,
    `${THEN}{name} looked down and held on [tight|to a branch].`,
    `${THEN}{he} tried to move, but {he} could not.`,
    `${THEN}{name} tried to climb down, but it was too [high|steep|far].`,
  ],
  dialogue: [
    '"Help, I cannot get down!" [cried|shouted] {name}.',
    `"Hold on, I will get a [ladder|rope|long stick]," ${SAID} {friend}${HOW}.`,
    `"[Jump|Come down slowly], I will catch you," ${SAID} {friend}${HOW}.`,
  ],
  ending: {
    happy: [
      `${END}{friend} helped {name} down, and they [laughed|hugged|cheered] together.`,
      `${AT_LAST} {name} got down [slowly|step by step] and felt [proud|so happy].`,
      `${END}with a big [jump|leap], {name} was down, and everyone cheered.`,
      `[With help from {friend}|With one last jump|Very slowly], {name} got down and [laughed|smiled|felt proud].`,
    ],
    sad: [
      `${END}{name} slipped and hurt {his} [leg|paw|tail], and {he} cried.`,
      `~${END}nobody came to help, and {name} [was very sad|cried] until morning.`,
      `${END}{name} had to wait all night, cold and sad.`,
      `${END}{name} [stayed up there|was stuck] [all night|until dark], [cold and sad|crying and alone].`,
    ],
    open: [
      '{name} is still up there, wondering what to do.',
      'Will someone come to help {name}?',
      `${MAYBE} {name} will find a way down soon.`,
      `[Will|Can] {name} get down [before dark|by morning|on {his} own]?`,
    ],
  },
};

const rain: ProblemTemplates = {
  introProblem: [
    `${HERO} wanted to play {at_place}, but it [started to rain|rained all day].`,
    `${ONE_DAY}, ${HERO} could not go out because of the rain.`,
  ],
  problem: [
    `${ONE_DAY}, it [rained and rained|started to rain|began to pour], and {name} could not play outside.`,
    `But that [morning|day], dark clouds came and rain fell {at_place}.`,
    `${ONE_DAY}, a big storm came, and {name} had to stay [inside|at home].`,
  ],
  attempt: [
    `${THEN}{he} sat by the window and watched the rain.`,
    `${THEN}{he} tried to [read a book|draw a picture|build a tower of blocks], but it was not the same.`,
    `${THEN}{name} put on {his} [boots|coat|hat], but the rain was too strong.`,
    `${THEN}{he} [played with {his} toys|sang a song|took a nap] and waited.`,
  ],
  dialogue: [
    `"When will the rain stop?" asked {name}${HOW}.`,
    `"Let us play a game inside," ${SAID} {friend}${HOW}.`,
    `"[I want to go out|I do not like rain|The rain is so loud]," ${SAID} {name}${HOW}.`,
  ],
  ending: {
    happy: [
      `Then the sun came out, and {name} [ran outside|played {at_place}] with a big smile.`,
      `${END}{name} and {friend} played inside all day and had [so much fun|a wonderful time].`,
      '[Soon|Then] the rain stopped, and {name} jumped in the puddles and laughed.',
      `[After lunch|In the afternoon|By the evening], the sun came back, and {name} [played outside|ran {at_place}] with a big smile.`,
    ],
    sad: [
      `${END}the rain did not stop, and {name} felt sad and [bored|lonely] all day.`,
      `${END}{name} stayed inside alone and cried a little.`,
      `${END}the rain [went on|kept falling] [all day|all week], and {name} [felt sad|was very sad].`,
    ],
    open: [
      '{name} looked at the sky and wondered if the sun would come out tomorrow.',
      `${MAYBE} tomorrow the sun will shine again.`,
      'Will the rain ever stop?',
      `[Maybe|Perhaps] the rain will stop [soon|in the morning|by tomorrow].`,
    ],
  },
};

const hungry: ProblemTemplates = {
  introProblem: [
    `${HERO} was hungry and saw some {food} [high up in a tree|on a tall shelf].`,
    `${ONE_DAY}, ${HERO} wanted some {food}, but they were too high.`,
  ],
  problem: [
    `${ONE_DAY}, {name} was very hungry, but the only {food} were [high up in a tree|on a tall shelf].`,
    `${BUT}{name} saw some {food} [high up on a shelf|at the top of a tree], but {he} could not reach them.`,
    `${ONE_DAY}, {name} wanted to eat some {food}, but they were [too high|out of reach].`,
  ],
  attempt: [
    `${THEN}{he} jumped and jumped, but the {food} were too high.`,
    `${THEN}{he} tried to climb, but {he} fell down.`,
    `${THEN}{he} stood on a [box|chair|stone], but it was still too high.`,
    `${THEN}{he} looked {at_place} for more {food}.`,
  ],
  dialogue: [
    `"I am so hungry," ${SAID} {name}${HOW}.`,
    `"Can you help me get the {food}?" asked {name}${HOW}.`,
    `"Climb on my back," ${SAID} {friend}${HOW}.`,
  ],
  ending: {
    happy: [
      `${END}{friend} helped, and they [shared|ate] the {food} together [and smiled|with big smiles].`,
      `${AT_LAST} {name} got the {food}, and {he} was [happy|very glad].`,
      `${END}{name} found a big basket of {food} and laughed with joy.`,
      `[With a big jump|With a long stick|With help from {friend}], {name} got the {food} and [smiled|laughed|was so happy].`,
    ],
    sad: [
      `${END}{name} could not get the {food} and went to bed hungry and sad.`,
      `${END}the {food} stayed up there, and {name} [cried|walked away sadly].`,
      `${END}{name} [went to sleep|sat down] hungry, and {he} [felt sad|cried a little].`,
    ],
    open: [
      '{name} looked up at the {food} and wondered how to get them.',
      `${MAYBE} tomorrow {name} will find a way to reach the {food}.`,
      'Will {name} ever get the {food}?',
      `[Will|Can] {name} [reach|get] the {food} [tomorrow|someday|before dark]?`,
    ],
  },
};

const dark: ProblemTemplates = {
  introProblem: [
    `${HERO} [was afraid of|did not like] the dark night.`,
    `[At night|One night], ${HERO} heard a strange noise [outside|in the dark].`,
  ],
  problem: [
    `[At night|Every night], {name} was [afraid|scared] of the dark.`,
    `One night, {name} heard a strange noise [outside|in the dark|under the bed] and felt scared.`,
    `One night, the lights went out, and {name} could not see a thing.`,
  ],
  attempt: [
    `${THEN}{he} hid under the blanket.`,
    `${THEN}{he} turned on a small lamp.`,
    `${THEN}{he} went to [the window|the door] with a little light.`,
    `${THEN}{he} [counted the stars|sang a quiet song|held {his} blanket tight].`,
  ],
  dialogue: [
    '"Who is there?" asked {name} in a small voice.',
    `"It is only me," ${SAID} {friend}${HOW}.`,
    `"Do not worry, I am here," ${SAID} {friend}${HOW}.`,
  ],
  ending: {
    happy: [
      `It was only the wind, and {name} [laughed|smiled] and went to sleep.`,
      `${END}{friend} stayed with {name}, and {he} felt safe and happy.`,
      `${END}the lights came back on, and {name} [laughed|giggled and smiled].`,
      `[In the morning|Soon|After a while], {name} [was not scared anymore|felt safe again] and [smiled|laughed].`,
    ],
    sad: [
      `${END}{name} did not sleep at all and cried until morning.`,
      `${END}{name} was still scared and lonely in the dark.`,
      `${END}{name} [sat in the dark|hid under the blanket] [all night|until morning], [scared and sad|crying softly].`,
    ],
    open: [
      '{name} still wonders what made that noise in the night.',
      `${MAYBE} the noise will come back tomorrow night.`,
      'What was that noise?',
      `[Maybe|Perhaps] {name} will [find out|learn] what the noise was [tomorrow|someday|one day].`,
    ],
  },
};

const broken: ProblemTemplates = {
  introProblem: [
    `${ONE_DAY}, ${HERO} dropped {his} {color_object}, and it broke.`,
    `${HERO} played with {his} {color_object} too hard, and it broke.`,
  ],
  problem: [
    `${ONE_DAY}, {name} dropped {his} {color_object}, and it broke.`,
    `${ONE_DAY}, {his} {color_object} fell off the [table|shelf] and broke into pieces.`,
    `${BUT}{name} played with {his} {color_object} [too hard|all day], and it broke.`,
  ],
  attempt: [
    `${THEN}{he} tried to fix it with [glue|tape|string].`,
    `${THEN}{he} put the pieces in a [box|basket].`,
    `${THEN}{he} took the pieces to {friend}.`,
    `${THEN}{name} looked at the [pieces|broken parts] for a long time.`,
  ],
  dialogue: [
    `"Oh no, my {object}!" cried {name}${HOW}.`,
    `"We can fix it," ${SAID} {friend}${HOW}.`,
    `"Do you have some [glue|tape]?" asked {name}${HOW}.`,
  ],
  ending: {
    happy: [
      `${END}together they fixed the {object}, and {name} [smiled|cheered|was happy again].`,
      `${AT_LAST} the {object} worked again, and {name} was very glad.`,
      `${END}{friend} gave {name} a new {object}, and {name} hugged {fhim}.`,
      `[After a while|With some glue|With a little help], the {object} was [as good as new|fixed], and {name} [smiled|cheered|laughed].`,
    ],
    sad: [
      `${END}the {object} could not be fixed, and {name} [cried|felt very sad].`,
      `${END}{name} put the broken {object} away and was sad for a long time.`,
      `${END}the broken {object} [stayed in a box|sat on the shelf], and {name} [felt sad|was very sad] [every day|for a long time].`,
    ],
    open: [
      '{name} wonders if the {object} can ever be fixed.',
      `${MAYBE} someone can fix the {object} tomorrow.`,
      'Can the {object} be fixed?',
      `[Will|Can] {friend} fix the {object} [tomorrow|someday|soon]?`,
    ],
  },
};

const lostWay: ProblemTemplates = {
  introProblem: [
    `${HERO} went for a walk {at_place} and got lost.`,
    `${ONE_DAY}, ${HERO} walked too far and could not find the way home.`,
  ],
  problem: [
    `${ONE_DAY}, {name} walked too far {at_place} and got lost.`,
    `${ONE_DAY}, {name} followed a [butterfly|leaf in the wind|shiny stone] and did not know the way home.`,
    `${BUT}{name} went to {place} alone and soon did not know where {he} was.`,
  ],
  attempt: [
    `${THEN}{he} walked and walked, but every path looked the same.`,
    `${THEN}{he} climbed a hill to look for home.`,
    `${THEN}{he} followed a little stream.`,
    `${THEN}{he} [called for {his} mom|looked at the stars|sat down to think].`,
  ],
  dialogue: [
    `"Which way is home?" asked {name}${HOW}.`,
    `"Follow me, I know the way," ${SAID} {friend}${HOW}.`,
    `"Do not worry, I will help you," ${SAID} {friend}${HOW}.`,
  ],
  ending: {
    happy: [
      `${AT_LAST} {name} saw {his} house and ran home, happy and safe.`,
      `${END}{friend} showed {name} the way home, and {his} mom hugged {him}.`,
      `${AT_LAST} {name} was home again, warm and safe.`,
      `[With help from {friend}|By the evening|After a long walk], {name} was home, and {his} family [hugged {him}|cheered].`,
    ],
    sad: [
      `${END}{name} sat down under a tree, cold and lonely, and cried.`,
      `${END}it got dark, and {name} was still lost and very sad.`,
      `${END}{name} [could not find|never found] the way home that night and [cried|felt very sad].`,
    ],
    open: [
      '{name} kept walking, and who knows where {he} will end up.',
      'Will {name} find the way home before dark?',
      `${MAYBE} {name} will find the way home tomorrow.`,
      `[Which way will|Where will] {name} go [next|now|in the morning]?`,
    ],
  },
};

const lonely: ProblemTemplates = {
  introProblem: [
    `${HERO} was new {at_place} and had no friends.`,
    `[Once|One day], ${HERO} had nobody to play with.`,
  ],
  problem: [
    `${BUT}{name} had no friends to play with.`,
    `${BUT}{name} was new {at_place} and did not know anyone.`,
    `Nobody wanted to play with {name}.`,
  ],
  attempt: [
    `${THEN}{he} sat by [a tree|the fence|the pond] and watched the others play.`,
    `${THEN}{he} saw {friend} playing [with a ball|by the pond|in the sand].`,
    `${THEN}{he} wanted to say hello, but {he} was shy.`,
    `${THEN}{name} [waved at|smiled at|walked up to] {friend}.`,
  ],
  dialogue: [
    `"Can I play with you?" asked {name}${HOW}.`,
    `"Hello, I am new here," ${SAID} {name}${HOW}.`,
    `"Yes, come and play with us," ${SAID} {friend}${HOW}.`,
  ],
  ending: {
    happy: [
      `${END}{name} and {friend} became best friends and played together every day.`,
      'From that day on, {name} was never lonely again.',
      `${END}{friend} asked {name} to play, and {name} smiled.`,
      `[Soon|After that|From then on], {name} and {friend} played [every day|all the time] and had [so much fun|a wonderful time].`,
    ],
    sad: [
      `~${END}nobody played with {name}, and {he} went home feeling [lonely|sad].`,
      `~${END}{name} sat alone until dark and felt very sad.`,
      `~${END}{name} [walked home|sat on a bench] alone, [feeling sad|and cried a little].`,
    ],
    open: [
      `${MAYBE} tomorrow {name} will find a friend.`,
      '{name} wonders if {friend} will come back to play.',
      'Will {name} find a friend?',
      `[Maybe|Perhaps] {name} will [make a friend|find a friend|say hello to {friend}] [tomorrow|someday|one day].`,
    ],
  },
};

const race: ProblemTemplates = {
  introProblem: [
    `${HERO} wanted to win the big race {at_place}.`,
    `[Once|One day], ${HERO} wanted to be the fastest of all.`,
  ],
  problem: [
    `${BUT}{name} wanted to win the big race {at_place}.`,
    `${ONE_DAY}, there was a race, and {name} wanted to be the fastest.`,
    `Everyone said that {name} was too slow to win the race.`,
  ],
  attempt: [
    `${THEN}{he} ran every morning to get ready.`,
    `On the day of the race, {he} ran as fast as {he} could.`,
    `Halfway, {he} tripped on a stone.`,
    `${THEN}{he} [practiced|trained] [every day|all week|with {friend}].`,
  ],
  dialogue: [
    `"I will win!" ${SAID} {name}${HOW}.`,
    `"Good luck," ${SAID} {friend}${HOW}.`,
    `"Run, {name}, run!" shouted {friend}${HOW}.`,
  ],
  ending: {
    happy: [
      `${END}{name} won the race, and everyone cheered.`,
      `${END}{name} did not win, but {he} had fun and felt proud.`,
      `${END}{name} came first and jumped with joy.`,
      `[At the end|After the race|That evening], everyone [cheered for|hugged] {name}, and {he} [smiled|was so proud|laughed].`,
    ],
    sad: [
      `${END}{name} came last and cried all the way home.`,
      `${END}{name} fell and lost the race, and {he} was very sad.`,
      `${END}{name} [did not finish|came last] and [felt very sad|cried].`,
    ],
    open: [
      'Next year, {name} might win the race.',
      'Who knows who will win next time?',
      `${MAYBE} {name} will try again someday.`,
      `[Will|Can] {name} win the race [next year|one day|next time]?`,
    ],
  },
};

const sick: ProblemTemplates = {
  introProblem: [
    `${HERO} was [worried|upset] because {his} friend {friend} was sick.`,
    `${ONE_DAY}, ${HERO} heard that {friend} was sick.`,
  ],
  problem: [
    `${ONE_DAY}, {friend} was sick and could not come out to play.`,
    `${BUT}{friend} had a [cold|cough|fever] and had to stay in bed.`,
    `${ONE_DAY}, {name} heard that {friend} was sick.`,
  ],
  attempt: [
    `${THEN}{name} made a card for {friend}.`,
    `${THEN}{name} picked some flowers {at_place}.`,
    `${THEN}{name} brought {friend} some {food}.`,
    `${THEN}{name} [sang a song|read a story] to {friend}.`,
  ],
  dialogue: [
    `"I hope you feel better soon," ${SAID} {name}${HOW}.`,
    `"Thank you for coming," ${SAID} {friend}${HOW}.`,
    `"Get well soon," ${SAID} {name}${HOW}.`,
  ],
  ending: {
    happy: [
      `Soon {friend} felt better, and they played together again, happy as can be.`,
      `${END}{friend} got well, and the two friends laughed and played all day.`,
      `[After a few days|Soon|By the weekend], {friend} was well again, and they [played|laughed] together [happily|with big smiles].`,
    ],
    sad: [
      `${END}{friend} was still sick, and {name} missed {fhim} very much.`,
      `${END}{friend} had to go far away to get well, and {name} cried.`,
      `${END}{friend} did not get better, and {name} [felt very sad|cried] [at night|for a long time].`,
    ],
    open: [
      '{name} waits by the window and wonders when {friend} will be well again.',
      `${MAYBE} {friend} will come out to play tomorrow.`,
      'Will {friend} get well soon?',
      `[Will|When will] {friend} [be well|get better] [again|soon]?`,
    ],
  },
};

const closing = {
  happy: [
    'It was the [best day|most wonderful day] [ever|of all|of the summer].',
    '{name} [smiled|was happy] all [day|evening] long.',
    'And they lived happily ever after.',
    'That night, {name} went to sleep with a big smile.',
    '{He} felt [warm|safe|light] and happy [inside|all over].',
  ],
  sad: [
    'It was a [sad day|sad night|sad time] for {name} [and {his} family|].',
    'That night, {name} cried [quietly|softly] in bed.',
    '{name} was sad for a long time.',
    '{He} felt [sad and alone|lonely and sad].',
  ],
  open: [
    'Nobody knows what will happen [next|tomorrow|after that].',
    `${MAYBE} tomorrow will be different.`,
    'What do you think happens next?',
    'Who knows what tomorrow will bring?',
  ],
};

export const TEMPLATES: StoryTemplates = {
  intro,
  setting,
  feeling,
  problems: { lost, stuck, rain, hungry, dark, broken, lostWay, lonely, race, sick },
  closing,
};
