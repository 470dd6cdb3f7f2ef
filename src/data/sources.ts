/**
 * Where the built-in image datasets come from: their official files, download addresses, sizes and
 * checksums, and the system folders (Debian packages) that may already hold them.
 *
 * Checksums are of the official compressed files as their publishers distribute them:
 * - MD5s as published by the dataset authors and listed by torchvision (datasets/mnist.py, cifar.py);
 *   CIFAR-10's MD5 is the one on https://www.cs.toronto.edu/~kriz/cifar.html;
 * - SHA-256s as pinned by tensorflow-datasets' url checksums and other pinned loaders of the same files.
 * Downloads and cached copies must match size, SHA-256 and MD5 all three.
 */

import { CIFAR10_CLASS_NAMES } from './cifar10.js';

/** One official file: its name in the cache, the addresses to fetch it from (tried in order), its checksums. */
export interface RemoteFile {
  name: string;
  urls: string[];
  size: number;
  sha256: string;
  md5: string;
}

export interface SystemDir {
  path: string;
  /** How the folder got there, for messages: "Debian dataset-fashion-mnist". */
  via: string;
  /** The command that installs it, for "not found" messages. */
  install: string;
}

export interface BuiltinImageSource {
  name: 'fashion-mnist' | 'mnist' | 'cifar10';
  title: string;
  format: 'idx' | 'cifar10-binary';
  shape: [number, number, number];
  numClasses: number;
  classNames: string[];
  /** Sub-folder of the dataset cache directory. */
  cacheSubdir: string;
  systemDirs: SystemDir[];
  files: RemoteFile[];
}

const FASHION_URLS = [
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
  'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
];
const MNIST_URLS = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'http://yann.lecun.com/exdb/mnist/',
];

function idxFiles(bases: string[], sums: [string, number, string, string][]): RemoteFile[] {
  return sums.map(([name, size, sha256, md5]) => ({
    name,
    urls: bases.map((b) => b + name),
    size,
    sha256,
    md5,
  }));
}

export const FASHION_MNIST: BuiltinImageSource = {
  name: 'fashion-mnist',
  title: 'Fashion-MNIST (Xiao, Rasul & Vollgraf 2017)',
  format: 'idx',
  shape: [28, 28, 1],
  numClasses: 10,
  classNames: [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
  cacheSubdir: 'fashion-mnist',
  systemDirs: [
    {
      path: '/usr/share/datasets/fashion-mnist',
      via: 'Debian dataset-fashion-mnist',
      install: 'apt-get install dataset-fashion-mnist',
    },
  ],
  files: idxFiles(FASHION_URLS, [
    [
      'train-images-idx3-ubyte.gz',
      26421880,
      '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
      '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    ],
    [
      'train-labels-idx1-ubyte.gz',
      29515,
      'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
      '25c81989df183df01b3e8a0aad5dffbe',
    ],
    [
      't10k-images-idx3-ubyte.gz',
      4422102,
      '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
      'bef4ecab320f06d8554ea6380940ec79',
    ],
    [
      't10k-labels-idx1-ubyte.gz',
      5148,
      '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
      'bb300cfdad3c16e7a12a480ee83cd310',
    ],
  ]),
};

export const MNIST: BuiltinImageSource = {
  name: 'mnist',
  title: 'MNIST (LeCun, Cortes & Burges)',
  format: 'idx',
  shape: [28, 28, 1],
  numClasses: 10,
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  cacheSubdir: 'mnist',
  systemDirs: [],
  files: idxFiles(MNIST_URLS, [
    [
      'train-images-idx3-ubyte.gz',
      9912422,
      '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
      'f68b3c2dcbeaaa9fbdd348bbdeb94873',
    ],
    [
      'train-labels-idx1-ubyte.gz',
      28881,
      '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
      'd53e105ee54ea40749a09fcbcd1e9432',
    ],
    [
      't10k-images-idx3-ubyte.gz',
      1648877,
      '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
      '9fb629c4189551a2d022fa330f9573f3',
    ],
    [
      't10k-labels-idx1-ubyte.gz',
      4542,
      'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
      'ec29112dd5afa0611ce80d1b7f02629c',
    ],
  ]),
};

export const CIFAR10: BuiltinImageSource = {
  name: 'cifar10',
  title: 'CIFAR-10 (Krizhevsky 2009), binary version',
  format: 'cifar10-binary',
  shape: [32, 32, 3],
  numClasses: 10,
  classNames: [...CIFAR10_CLASS_NAMES],
  cacheSubdir: 'cifar10',
  systemDirs: [],
  files: [
    {
      name: 'cifar-10-binary.tar.gz',
      urls: ['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'],
      size: 170052171,
      sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
    },
  ],
};

export const BUILTIN_IMAGE_SOURCES: Record<BuiltinImageSource['name'], BuiltinImageSource> = {
  'fashion-mnist': FASHION_MNIST,
  mnist: MNIST,
  cifar10: CIFAR10,
};
