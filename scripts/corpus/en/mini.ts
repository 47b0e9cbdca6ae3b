/**
 * English templates for the SFT demonstrations (syntax in ../template.ts, slots as
 * in ./templates.ts). A demonstration is a whole story in two to four short
 * sentences, at most 88 characters: a start that names the hero, the animal and
 * the problem; maybe something the hero does or says; and an ending that carries
 * its sentiment in keywords `endingSentiment` knows. Only `say` lines hold quotes.
 * An ending that starts with `~` says nobody helped: it is used only when no friend
 * has appeared.
 */
import type { MiniProblemTemplates, Problem } from '../language';

/** The hero's first mention, at the start of a sentence. */
const HERO =
  '[{name} the {animal}|{name} the {animal}|{name} the {animal}|{a_animal} named {name}]';
const MAYBE = '[Maybe|Perhaps]';

const lost: MiniProblemTemplates = {
  start: [
    `${HERO} lost {his} {object}.`,
    `${HERO} could not find {his} {object}.`,
    `One day, {name} the {animal} lost {his} {object}.`,
    `{name} the {animal} lost {his} {object} {at_place}.`,
  ],
  middle: [
    '{He} looked [under the bed|in the grass|everywhere].',
    '{He} looked for it all day.',
    '{He} asked {friend} for help.',
  ],
  say: [
    '"Where is my {object}?" {he} asked.',
    '"Help me look," {he} said.',
    '"I will help," said {friend}.',
  ],
  ending: {
    happy: [
      '[At last |Soon |Then |]{he} found it and [smiled|laughed].',
      'It was under the bed, and {he} was glad.',
      '{friend} found it, and {name} was happy.',
    ],
    sad: [
      '{He} never found it and cried.',
      'It was gone, and {he} was sad.',
      '{He} went home sad.',
    ],
    open: [
      `${MAYBE} it will turn up tomorrow.`,
      'Will {he} ever find it?',
      '{He} still wonders where it is.',
    ],
  },
};

const stuck: MiniProblemTemplates = {
  start: [
    `${HERO} climbed a tree and could not get down.`,
    `${HERO} got stuck [up a tree|on a roof|on a rock].`,
    `{name} the {animal} climbed too high {at_place}.`,
  ],
  middle: ['{He} called for help.', '{He} held on tight.', '{He} could not climb down.'],
  say: [
    '"Help!" {he} cried.',
    '"Hold on!" said {friend}.',
    '"Jump, I will catch you!" said {friend}.',
  ],
  ending: {
    happy: [
      '{friend} got {him} down, and {he} smiled.',
      '[At last |Soon |]{he} got down and laughed.',
      'A ladder came, and {he} was safe.',
    ],
    sad: [
      '{He} fell and cried.',
      '~Nobody came, and {he} cried.',
      '{He} was stuck all night, cold and sad.',
    ],
    open: [
      'Will anyone help {him}?',
      `${MAYBE} {he} will get down tomorrow.`,
      '{He} is still up there, wondering.',
    ],
  },
};

const rain: MiniProblemTemplates = {
  start: [
    `${HERO} wanted to play, but it rained.`,
    `It rained, so {name} the {animal} stayed in.`,
    `{name} the {animal} wanted to go to {place}, but it rained.`,
  ],
  middle: ['{He} sat by the window.', '{He} [read a book|drew a picture|sang a song].'],
  say: ['"When will it stop?" {he} asked.', '"Let us play inside," said {friend}.'],
  ending: {
    happy: [
      'Then the sun came out, and {he} [smiled|laughed].',
      'Soon {he} jumped in puddles and laughed.',
      '{He} played inside with {friend} and had fun.',
      '{He} had fun inside.',
    ],
    sad: [
      'The rain did not stop, and {he} was sad.',
      '~{He} sat alone and cried.',
      '{He} was sad all day.',
    ],
    open: [
      `${MAYBE} the sun will shine tomorrow.`,
      'Will the rain ever stop?',
      '{He} wonders about tomorrow.',
    ],
  },
};

const hungry: MiniProblemTemplates = {
  start: [
    `${HERO} was hungry, but the {food} were too high.`,
    `${HERO} wanted some {food}.`,
    `{name} the {animal} saw {food} on a high shelf.`,
  ],
  middle: [
    '{He} jumped and jumped.',
    '{He} stood on a [box|chair|stone].',
    '{He} tried to climb, but {he} fell.',
  ],
  say: [
    '"I am so hungry," said {name}.',
    '"Climb on my back," said {friend}.',
    '"Can you help me?" {he} asked.',
  ],
  ending: {
    happy: [
      '[At last |Soon |Then |]{he} got them and smiled.',
      '{friend} helped, and they ate [and laughed|with big smiles].',
      '{He} got the {food} and was happy.',
    ],
    sad: [
      '{He} went to bed hungry and sad.',
      'The {food} stayed up there, and {he} cried.',
      '{He} walked away sadly.',
    ],
    open: [
      'Will {he} ever get the {food}?',
      `${MAYBE} {he} will reach them tomorrow.`,
      '{He} still wonders how.',
    ],
  },
};

const dark: MiniProblemTemplates = {
  start: [
    `${HERO} was afraid of the dark.`,
    `${HERO} feared the dark.`,
    `One night, {name} the {animal} heard a noise.`,
    `{name} the {animal} heard a strange noise at night.`,
  ],
  middle: [
    '{He} hid under the blanket.',
    '{He} turned on a lamp.',
    '{He} held {his} blanket tight.',
  ],
  say: [
    '"Who is there?" {he} asked.',
    '"It is only me," said {friend}.',
    '"I am here," said {friend}.',
  ],
  ending: {
    happy: [
      'It was only the wind, and {he} [laughed|smiled].',
      '{friend} stayed, and {he} felt safe.',
      '{He} felt safe and smiled.',
      'Soon the sun came up, and {he} smiled.',
    ],
    sad: [
      '{He} cried all night.',
      '~{He} was scared and lonely all night.',
      '{He} did not sleep and cried.',
    ],
    open: [
      'What was that noise?',
      `${MAYBE} it will come back tomorrow.`,
      '{He} still wonders what it was.',
    ],
  },
};

const broken: MiniProblemTemplates = {
  start: [
    `${HERO} dropped {his} {object}, and it broke.`,
    `${HERO} broke {his} {color_object}.`,
    `${HERO} broke {his} {object}.`,
    `One day, {name} the {animal} broke {his} {object}.`,
  ],
  middle: [
    '{He} tried to fix it with [glue|tape|string].',
    '{He} put the pieces in a box.',
    '{He} took it to {friend}.',
  ],
  say: [
    '"Oh no, my {object}!" cried {name}.',
    '"We can fix it," said {friend}.',
    '"Do you have glue?" {he} asked.',
  ],
  ending: {
    happy: [
      'Together they fixed it, and {name} [smiled|cheered].',
      '{He} fixed it and smiled.',
      '[At last|Soon|Then] it worked again, and {he} was glad.',
      '{friend} gave {him} a new one, and {he} smiled.',
    ],
    sad: [
      'It could not be fixed, and {he} cried.',
      '{He} was sad for a long time.',
      '{He} looked at the pieces and cried.',
    ],
    open: [
      'Can the {object} be fixed?',
      `${MAYBE} someone can fix it tomorrow.`,
      '{He} wonders if it can be fixed.',
    ],
  },
};

const lostWay: MiniProblemTemplates = {
  start: [
    `${HERO} walked too far and got lost.`,
    `{name} the {animal} got lost {at_place}.`,
    `${HERO} got lost.`,
    `${HERO} followed a [butterfly|leaf] and got lost.`,
  ],
  middle: [
    '{He} walked and walked.',
    '{He} climbed a hill to look.',
    '{He} followed a little stream.',
  ],
  say: ['"Which way is home?" {he} asked.', '"Follow me," said {friend}.'],
  ending: {
    happy: [
      '[At last|Soon|Then] {he} was home, safe and happy.',
      '{friend} showed {him} the way, and {he} smiled.',
      '{He} got home, and {his} mom hugged {him}.',
      '{He} found the way home and smiled.',
    ],
    sad: [
      'It got dark, and {he} was still lost and sad.',
      '~{He} sat under a tree, cold and lonely.',
      '{He} could not find the way and cried.',
    ],
    open: [
      'Will {he} find the way home?',
      `${MAYBE} {he} will find the way tomorrow.`,
      'Nobody knows where {he} went.',
    ],
  },
};

const lonely: MiniProblemTemplates = {
  start: [
    `${HERO} had no friends.`,
    `{name} the {animal} was new {at_place}.`,
    `Nobody played with {name} the {animal}.`,
  ],
  middle: ['{He} sat by the pond.', '{He} wanted to say hello, but {he} was shy.'],
  say: [
    '"Can I play with you?" {he} asked.',
    '"Hello, I am new," said {name}.',
    '"Come and play," said {friend}.',
  ],
  ending: {
    happy: [
      'Then {friend} came to play, and {he} smiled.',
      '[Soon|Now] {name} and {friend} are best friends.',
      '{friend} said hello, and {name} was so happy.',
      '{He} made a friend and smiled.',
    ],
    sad: [
      '~Nobody came, and {he} went home sad.',
      '~{He} sat alone until dark and cried.',
      '~{He} was lonely all day.',
    ],
    open: [
      `${MAYBE} {he} will find a friend tomorrow.`,
      'Will {he} ever find a friend?',
      '{He} wonders who will come.',
    ],
  },
};

const race: MiniProblemTemplates = {
  start: [
    `${HERO} wanted to win the race.`,
    `${HERO} ran in a big race.`,
    `Everyone said {name} the {animal} was too slow.`,
    `{name} the {animal} ran in a race {at_place}.`,
  ],
  middle: ['{He} ran every morning.', '{He} ran as fast as {he} could.', 'Halfway, {he} tripped.'],
  say: [
    '"I will win!" said {name}.',
    '"Good luck," said {friend}.',
    '"Run, {name}!" said {friend}.',
  ],
  ending: {
    happy: [
      '{He} won, and everyone cheered.',
      '{He} came last, but {he} had fun.',
      '{He} came first and jumped for joy.',
      '{He} won and cheered.',
    ],
    sad: [
      '{He} came last and cried.',
      '{He} lost and cried.',
      '{He} lost the race and was very sad.',
      '{He} did not finish and cried.',
    ],
    open: [
      'Who will win next time?',
      `${MAYBE} {he} will win next year.`,
      '{He} wonders who will win next time.',
    ],
  },
};

const sick: MiniProblemTemplates = {
  start: [
    `${HERO} heard that {friend} was sick.`,
    `{friend} was sick, so {name} the {animal} was worried.`,
    `{friend} had a [cold|cough|fever], and {name} the {animal} was worried.`,
  ],
  middle: [
    '{He} made a card for {friend}.',
    '{He} brought {friend} some {food}.',
    '{He} sang a song for {friend}.',
  ],
  say: [
    '"Get well soon," said {name}.',
    '"Thank you," said {friend}.',
    '"I hope you feel better," said {name}.',
  ],
  ending: {
    happy: [
      'Soon {friend} was well, and they played with big smiles.',
      '{friend} got better, and they laughed.',
      '{friend} got well, and {name} hugged {fhim}.',
    ],
    sad: [
      '{friend} was still sick, and {name} missed {fhim}.',
      '{friend} did not get well, and {name} cried.',
      '{friend} had to go away, and {name} was sad.',
    ],
    open: [
      'Will {friend} get well soon?',
      `${MAYBE} {friend} will be well tomorrow.`,
      '{name} wonders when {friend} will be well.',
    ],
  },
};

export const MINI: Record<Problem, MiniProblemTemplates> = {
  lost,
  stuck,
  rain,
  hungry,
  dark,
  broken,
  lostWay,
  lonely,
  race,
  sick,
};
