/**
 * Every API emulation mounted on the sandbox host, in matching order. A new service adds
 * one line here and a folder or file (with its SPEC.md) beside this one.
 */
import type {ServiceFactory} from '../types.js'
import {firestoreService} from './firestore/index.js'
import {rtdbService} from './rtdb/index.js'
import {s3Service} from './s3/index.js'
import {secretsManagerService} from './secretsmanager.js'
import {stsService} from './sts.js'

export const serviceFactories: ServiceFactory[] = [stsService, secretsManagerService, s3Service, firestoreService, rtdbService]
